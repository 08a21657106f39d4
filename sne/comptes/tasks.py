"""E-mails of the accounts, sent by the Huey worker after the transaction that asked for them
has committed (never an e-mail about something that was rolled back)."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .models import ReponseIdempotente, Utilisateur


@db_task(retries=5, retry_delay=60)
def envoyer_email_activation(utilisateur_id: int, lien: str) -> None:
    """« Mot de passe inconnu »: the link the person asked for."""
    utilisateur = Utilisateur.objects.get(pk=utilisateur_id)
    contexte = {
        "utilisateur": utilisateur,
        "lien": lien,
        "heures": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }
    send_mail(
        "SNE — Activez votre compte et choisissez votre mot de passe",
        render_to_string("comptes/emails/activation.txt", contexte),
        None,
        [utilisateur.email],
    )


@db_task(retries=5, retry_delay=60)
def envoyer_email_invitation(utilisateur_id: int, lien: str, invitation: dict) -> None:
    """An account opened by a gestionnaire (`services.inviter`): its own wording, the person
    asked for nothing."""
    utilisateur = Utilisateur.objects.get(pk=utilisateur_id)
    contexte = {
        "utilisateur": utilisateur,
        "lien": lien,
        "invitation": invitation,
        "heures": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }
    send_mail(
        "SNE — Un compte vous a été ouvert : choisissez votre mot de passe",
        render_to_string("comptes/emails/invitation.txt", contexte),
        None,
        [utilisateur.email],
    )


@db_task(retries=5, retry_delay=60)
def envoyer_email_confirmation_adresse(email: str, lien: str) -> None:
    send_mail(
        "SNE — Confirmez votre nouvelle adresse e-mail",
        render_to_string("comptes/emails/confirmation_adresse.txt", {"lien": lien}),
        None,
        [email],
    )


@db_task(retries=5, retry_delay=60)
def prevenir_ancienne_adresse(ancienne: str, nouvelle: str, *, confirme: bool) -> None:
    """Tell the account's address that a change to another one was asked, then confirmed:
    the holder learns it even when someone else used their open session."""
    send_mail(
        "SNE — Votre adresse e-mail de connexion a été changée"
        if confirme
        else "SNE — Changement de votre adresse e-mail de connexion demandé",
        render_to_string(
            "comptes/emails/ancienne_adresse.txt",
            {"ancienne": ancienne, "nouvelle": nouvelle, "confirme": confirme},
        ),
        None,
        [ancienne],
    )


@db_task(retries=5, retry_delay=60)
def envoyer_email_accord_habilitation(utilisateur_id: int, guichet: str, role: str, lien: str):
    utilisateur = Utilisateur.objects.get(pk=utilisateur_id)
    send_mail(
        "SNE — Une habilitation vous est proposée : acceptez-la ou ignorez ce message",
        render_to_string(
            "comptes/emails/accord_habilitation.txt",
            {"utilisateur": utilisateur, "guichet": guichet, "role": role, "lien": lien},
        ),
        None,
        [utilisateur.email],
    )


@db_task(retries=5, retry_delay=60)
def envoyer_email_sans_habilitation(utilisateur_id: int, contacts: list[dict]) -> None:
    """« Mot de passe inconnu » for an account without a habilitation in force: the FAQ's
    answer, told to the account's address only."""
    utilisateur = Utilisateur.objects.get(pk=utilisateur_id)
    send_mail(
        "SNE — Votre compte n'a pas d'habilitation en cours",
        render_to_string(
            "comptes/emails/sans_habilitation.txt",
            {"utilisateur": utilisateur, "contacts": contacts},
        ),
        None,
        [utilisateur.email],
    )


@db_task(retries=5, retry_delay=60)
def envoyer_email_guichet_a_parametrer(
    utilisateur_id: int, guichets: list[str], contacts: list[dict]
) -> None:
    """« Mot de passe inconnu » for an agent whose desks are not set up yet: no link, the
    invitation comes with the finalisation (told to the account's address only)."""
    utilisateur = Utilisateur.objects.get(pk=utilisateur_id)
    send_mail(
        "SNE — Votre guichet n'est pas encore paramétré : votre invitation suivra",
        render_to_string(
            "comptes/emails/guichet_a_parametrer.txt",
            {"utilisateur": utilisateur, "guichets": guichets, "contacts": contacts},
        ),
        None,
        [utilisateur.email],
    )


@db_periodic_task(crontab(hour="4", minute="10"))
def purger_reponses_idempotentes() -> int:
    """The API's remembered answers (`ReponseIdempotente`) older than a day: a retry comes
    within minutes, and a day covers a night's batch run."""
    limite = timezone.now() - timedelta(days=1)
    supprimees, _ = ReponseIdempotente.objects.filter(cree_le__lt=limite).delete()
    return supprimees
