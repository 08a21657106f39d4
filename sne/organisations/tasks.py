"""E-mails about desks, sent by the Huey worker after commit.

Services enqueue these tasks (`transaction.on_commit`); tasks never call back into services.
"""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from sne.comptes.models import Habilitation

from .fichier_contacts import envoyer_fichiers_contacts
from .models import DemandeAuGestionnaire, Guichet


@db_task(retries=5, retry_delay=60)
def envoyer_email_parametrage_termine(guichet_id: int) -> None:
    guichet = Guichet.objects.select_related("organisation").get(pk=guichet_id)
    send_mail(
        f"SNE — Le paramétrage du guichet {guichet.code} est terminé",
        render_to_string("organisations/emails/parametrage_termine.txt", {"guichet": guichet}),
        None,
        guichet.destinataires(),
    )


@db_task(retries=5, retry_delay=60)
def prevenir_gestionnaires_nouvelle_demande(demande_id: int) -> None:
    demande = DemandeAuGestionnaire.objects.select_related("guichet", "auteur").get(pk=demande_id)
    adresses = list(
        Habilitation.objects.valides()
        .filter(role=Habilitation.Role.GESTIONNAIRE, departement=demande.departement_id)
        .values_list("utilisateur__email", flat=True)
    )
    if adresses:
        send_mail(
            f"SNE — Demande du guichet {demande.guichet.code} : {demande.get_objet_display()}",
            render_to_string("organisations/emails/nouvelle_demande.txt", {"demande": demande}),
            None,
            adresses,
        )


@db_task(retries=5, retry_delay=60)
def envoyer_reponse_demande(demande_id: int) -> None:
    demande = DemandeAuGestionnaire.objects.select_related("guichet", "auteur").get(pk=demande_id)
    send_mail(
        f"SNE — Réponse à votre demande : {demande.get_objet_display()}",
        render_to_string("organisations/emails/reponse_demande.txt", {"demande": demande}),
        None,
        [demande.auteur.email],
    )


@db_periodic_task(crontab(day="1", hour="7", minute="0"))
def envoyer_fichiers_contacts_mensuels() -> None:
    """FAQ « Options de paramétrage »: every month the file of contacts of each département is
    sent to every desk habilitated on it (one e-mail per desk, XLSX attached)."""
    envoyer_fichiers_contacts()
