"""Use cases of accounts: habilitations, activation (« Mot de passe inconnu »), e-mail change.

FAQ « Connexion à l'application nationale »: an agent activates their account with the e-mail
of the fiche collecte. Where today's SNE answers two cryptic messages, here each says what to
check and whom to contact.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser
from sne.exceptions import ErreurMetier

from . import tasks
from .droits import droits_de, exiger, oublier_droits
from .models import Habilitation, Utilisateur, normaliser_email

LIMITE_DEMANDES_ACTIVATION = 5  # per address and per hour
LIMITE_DEMANDES_ACTIVATION_IP = 30  # per client address and per hour


class TropDeDemandes(ErreurMetier):
    statut_http = 429
    code = "trop_de_demandes"


# --- Habilitations ---------------------------------------------------------------------------


@transaction.atomic
def habiliter(utilisateur, role, *, par, guichet=None, departement=None) -> Habilitation:
    """Grant a habilitation. A gestionnaire grants rights on the desks and the département
    they manage; only a national administrator creates gestionnaires and administrators."""
    if utilisateur.est_compte_systeme:
        raise ErreurMetier(
            "Ce compte est celui des systèmes connectés d'un guichet : il agit par ses jetons "
            "d'API et ne reçoit pas d'autre habilitation.",
            code="compte_systeme",
        )
    droits = droits_de(par)
    if role in (Habilitation.Role.SAISIE, Habilitation.Role.CONSULTATION):
        exiger(
            guichet is not None and droits.gere_guichet(guichet),
            "Ce guichet n'est pas dans vos départements.",
        )
    elif role == Habilitation.Role.GESTIONNAIRE:
        exiger(
            droits.national, "Seule l'assistance nationale nomme les gestionnaires territoriaux."
        )
    else:
        exiger(droits.national, "Seule l'assistance nationale nomme les administrateurs nationaux.")
    habilitation = Habilitation(
        utilisateur=utilisateur, role=role, guichet=guichet, departement=departement, cree_par=par
    )
    try:
        habilitation.full_clean()
    except ValidationError as e:
        raise ErreurMetier(" ".join(e.messages), code="habilitation_invalide") from e
    try:
        with transaction.atomic():
            habilitation.save()
    except IntegrityError as e:
        raise ErreurMetier(
            "Cette personne a déjà une habilitation sur ce guichet ou ce département.",
            code="habilitation_existante",
        ) from e
    journaliser(
        EvenementAudit.Action.HABILITATION,
        utilisateur=par,
        guichet=guichet,
        objet=utilisateur,
        resume=f"{habilitation.get_role_display()} — {guichet or departement or 'national'}",
        details={
            "role": role,
            "guichet": guichet.code if guichet else None,
            "departement": departement.code if departement else None,
        },
    )
    oublier_droits(utilisateur)
    return habilitation


@transaction.atomic
def retirer_habilitation(habilitation: Habilitation, *, par) -> None:
    """End a habilitation today (kept for the record, never deleted)."""
    droits = droits_de(par)
    if habilitation.guichet:
        exiger(
            droits.gere_guichet(habilitation.guichet), "Ce guichet n'est pas dans vos départements."
        )
    else:
        exiger(droits.national, "Seule l'assistance nationale retire ce rôle.")
    hier = timezone.localdate() - timezone.timedelta(days=1)
    habilitation.date_fin = max(hier, habilitation.date_debut)
    if habilitation.date_debut > hier:
        habilitation.delete()
    else:
        habilitation.save(update_fields=["date_fin"])
    journaliser(
        EvenementAudit.Action.RETRAIT_HABILITATION,
        utilisateur=par,
        guichet=habilitation.guichet,
        objet=habilitation.utilisateur,
        resume=f"{habilitation.get_role_display()} retirée",
        details={"role": habilitation.role},
    )
    oublier_droits(habilitation.utilisateur)


def gestionnaires_de(utilisateur) -> list[dict]:
    """Who to contact about this person's account: the gestionnaires of the départements of
    their desks (or of any département they are attached to), else the national support."""
    departements = set(
        Habilitation.objects.filter(utilisateur=utilisateur, guichet__isnull=False).values_list(
            "guichet__departements", flat=True
        )
    )
    return gestionnaires_des_departements(departements)


def gestionnaires_des_departements(departements) -> list[dict]:
    """Who to contact about a desk or a person of these départements (codes): their
    gestionnaires territoriaux in force today (name, e-mail, telephone), else the national
    support."""
    habilitations = (
        Habilitation.objects.valides()
        .filter(role=Habilitation.Role.GESTIONNAIRE, departement__in=departements)
        .select_related("utilisateur", "departement")
    )
    contacts = [
        {
            "nom": h.utilisateur.nom_complet or h.utilisateur.email,
            "email": h.utilisateur.email,
            "telephone": h.utilisateur.telephone,
            "departement": str(h.departement),
        }
        for h in habilitations
    ]
    return contacts or [
        {
            "nom": "Assistance nationale du SNE",
            "email": settings.EMAIL_ASSISTANCE,
            "telephone": "",
            "departement": "",
        }
    ]


# --- Activation (« Mot de passe inconnu ») --------------------------------------------------


@dataclass(frozen=True)
class ResultatActivation:
    message: str
    conseils: tuple[str, ...] = ()


def _limiter(cle: str, limite: int) -> None:
    compte = cache.get_or_set(cle, 0, timeout=3600)
    if compte >= limite:
        raise TropDeDemandes(
            "Trop de demandes d'activation en peu de temps. Réessayez dans une heure ; si le "
            "problème persiste, contactez votre gestionnaire territorial."
        )
    try:
        cache.incr(cle)
    except ValueError:
        cache.set(cle, 1, timeout=3600)


def lien_activation(utilisateur, base_url: str = "") -> str:
    uid = urlsafe_base64_encode(force_bytes(utilisateur.pk))
    jeton = default_token_generator.make_token(utilisateur)
    return base_url + reverse("comptes:activation", args=[uid, jeton])


def envoyer_lien_activation(utilisateur, base_url: str) -> None:
    """« Mot de passe inconnu »: e-mail the person who asked a single-use, time-limited link to
    choose a password (after commit)."""
    lien = lien_activation(utilisateur, base_url)
    transaction.on_commit(lambda: tasks.envoyer_email_activation(utilisateur.pk, lien))


def inviter(utilisateur, *, guichet, par, base_url: str) -> None:
    """Tell a person that an account was opened for them on `guichet`, with the link to choose
    their password (after commit). Unlike `envoyer_lien_activation`, the person asked for
    nothing: the e-mail says who opened the account, for which desk and role (FAQ « Un e-mail
    confirmant la finalisation du paramétrage vous est alors adressé »).

    Sent only once the desk's set-up is finalised (`guichet.est_parametre`): before that the
    desk cannot register and the account would open onto nothing; the finalisation sends the
    invitations that waited (`sne.organisations.services.finaliser_parametrage`)."""
    roles = [
        f"« {h.get_role_display()} »"
        for h in Habilitation.objects.valides().filter(utilisateur=utilisateur, guichet=guichet)
    ]
    invitation = {
        "guichet": f"{guichet.nom} ({guichet.code})",
        "roles": " et ".join(roles),
        "par": par.nom_complet or par.email,
        "par_email": par.email,
        "national": droits_de(par).national,
    }
    lien = lien_activation(utilisateur, base_url)
    transaction.on_commit(lambda: tasks.envoyer_email_invitation(utilisateur.pk, lien, invitation))


@transaction.atomic
def demander_activation(
    email: str, *, base_url: str, adresse_ip: str | None = None
) -> ResultatActivation:
    """« Mot de passe inconnu »: send an activation link, or explain by e-mail why not.

    The page answers the same for every valid address (ADR 0008): an anonymous visitor does
    not learn whether an account exists nor who manages it. The account's own address
    receives the precise answer of the FAQ: the link, or « incohérence sur les données de
    votre profil » with the contacts of its gestionnaires. An unknown address receives
    nothing (the register mails only its accounts). Limited per address and per client
    address (trusted proxies only, `adresse_ip`)."""
    email = normaliser_email(email)
    try:
        validate_email(email)
    except ValidationError as e:
        raise ErreurMetier(
            "Cette adresse e-mail n'est pas valide : vérifiez-la (une virgule à la place d'un "
            "point, par exemple).",
            code="email_invalide",
        ) from e
    _limiter(f"activation:email:{email}", LIMITE_DEMANDES_ACTIVATION)
    if adresse_ip:
        _limiter(f"activation:ip:{adresse_ip}", LIMITE_DEMANDES_ACTIVATION_IP)

    utilisateur = Utilisateur.objects.filter(
        email__iexact=email, is_active=True, guichet_systeme__isnull=True
    ).first()
    if utilisateur is not None:
        journaliser(
            EvenementAudit.Action.ACTIVATION_DEMANDEE,
            utilisateur=None,
            objet=utilisateur,
            resume="Demande de lien d'activation",
            adresse_ip=adresse_ip,
        )
        guichets_a_parametrer = _guichets_a_parametrer(utilisateur)
        if guichets_a_parametrer:
            contacts = gestionnaires_de(utilisateur)
            transaction.on_commit(
                lambda: tasks.envoyer_email_guichet_a_parametrer(
                    utilisateur.pk, guichets_a_parametrer, contacts
                )
            )
        elif droits_de(utilisateur).a_une_habilitation:
            envoyer_lien_activation(utilisateur, base_url)
        else:
            contacts = gestionnaires_de(utilisateur)
            transaction.on_commit(
                lambda: tasks.envoyer_email_sans_habilitation(utilisateur.pk, contacts)
            )
    return ResultatActivation(
        f"Un lien pour choisir votre mot de passe vient d'être envoyé à {email} si cette "
        "adresse est celle d'un compte habilité. Il est valable "
        f"{settings.PASSWORD_RESET_TIMEOUT // 3600} heures et ne sert qu'une fois.",
        conseils=(
            "Vérifiez l'adresse : c'est celle que votre guichet a indiquée dans sa fiche "
            "collecte (une virgule à la place d'un point, une lettre en trop…).",
            "Une même adresse ne peut servir qu'à une seule personne : si votre guichet a "
            "donné une adresse partagée, demandez-lui de vous en attribuer une personnelle.",
            "Si votre compte existe mais qu'aucune habilitation en cours ne vous est "
            "attribuée, le message reçu à cette adresse vous le dit, avec le contact de votre "
            "gestionnaire territorial.",
            "Sinon, contactez le gestionnaire territorial de votre département : il vérifiera "
            "la fiche collecte de votre guichet.",
        ),
    )


def _guichets_a_parametrer(utilisateur) -> list[str]:
    """The desks (« nom (code) ») of a person whose every habilitation in force is on a desk
    whose set-up is not finalised yet; [] otherwise. FAQ: the agents activate their account
    after « un e-mail confirmant la finalisation du paramétrage » — before, « Mot de passe
    inconnu » says so instead of opening an account onto a desk that may not act yet."""
    habilitations = Habilitation.objects.valides().filter(utilisateur=utilisateur)
    if (
        not habilitations.exists()
        or habilitations.filter(
            Q(guichet__isnull=True) | Q(guichet__parametrage_termine_le__isnull=False)
        ).exists()
    ):
        return []
    return sorted(
        f"{nom} ({code})"
        for nom, code in habilitations.values_list("guichet__nom", "guichet__code").distinct()
    )


def utilisateur_du_lien(uidb64: str, jeton: str):
    """The account a link designates, or None when the link is invalid, used or expired."""
    try:
        utilisateur = Utilisateur.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, Utilisateur.DoesNotExist):
        return None
    if utilisateur.est_compte_systeme:
        return None  # a desk's technical account never chooses a password (ADR 0012)
    if not default_token_generator.check_token(utilisateur, jeton):
        return None
    return utilisateur


@transaction.atomic
def activer(utilisateur, mot_de_passe: str, *, adresse_ip: str | None = None) -> None:
    """Set the password chosen through an activation link (which it thereby invalidates)."""
    from django.contrib.auth.password_validation import validate_password

    try:
        validate_password(mot_de_passe, utilisateur)
    except ValidationError as e:
        raise ErreurMetier(" ".join(e.messages), code="mot_de_passe_refuse") from e
    utilisateur.set_password(mot_de_passe)
    utilisateur.save(update_fields=["password"])
    from axes.utils import reset

    reset(username=utilisateur.email)  # a new password lifts a lockout
    journaliser(
        EvenementAudit.Action.COMPTE_ACTIVE,
        utilisateur=utilisateur,
        objet=utilisateur,
        resume="Mot de passe choisi",
        adresse_ip=adresse_ip,
    )


# --- Change of e-mail address (FAQ: « vous êtes habilité à le faire par vous-même ») ---------

SEL_EMAIL = "sne.comptes.changement-email"


LIMITE_MOTS_DE_PASSE_ERRONES_CHANGEMENT_EMAIL = 5  # per account and per hour


@transaction.atomic
def demander_changement_email(
    utilisateur, nouvel_email: str, *, mot_de_passe: str, base_url: str
) -> str:
    """Send a confirmation link to the new address; nothing changes until it is followed.

    A session left open must not be enough to take the account: the current password is asked
    again (5 wrong ones an hour at most), and the current address is told at once that a
    change was asked, and again when it is confirmed."""
    cle_essais = f"changement-email:essais:{utilisateur.pk}"
    if cache.get(cle_essais, 0) >= LIMITE_MOTS_DE_PASSE_ERRONES_CHANGEMENT_EMAIL:
        raise TropDeDemandes(
            "Trop de mots de passe erronés : réessayez dans une heure.", champ="mot_de_passe"
        )
    if not utilisateur.check_password(mot_de_passe or ""):
        if not cache.add(cle_essais, 1, timeout=3600):
            cache.incr(cle_essais)
        raise ErreurMetier(
            "Ce n'est pas votre mot de passe actuel.",
            code="mot_de_passe_errone",
            champ="mot_de_passe",
        )
    nouvel_email = normaliser_email(nouvel_email)
    try:
        validate_email(nouvel_email)
    except ValidationError as e:
        raise ErreurMetier(
            "Cette adresse e-mail n'est pas valide.", code="email_invalide", champ="nouvel_email"
        ) from e
    if nouvel_email == utilisateur.email:
        raise ErreurMetier("C'est déjà votre adresse.", code="email_inchange", champ="nouvel_email")
    if Utilisateur.objects.filter(email__iexact=nouvel_email).exists():
        raise ErreurMetier(
            "Cette adresse est déjà celle d'un autre compte : une adresse ne sert qu'à une "
            "personne.",
            code="email_deja_utilise",
            champ="nouvel_email",
        )
    jeton = signing.dumps(
        {"u": utilisateur.pk, "e": nouvel_email, "a": utilisateur.email}, salt=SEL_EMAIL
    )
    lien = base_url + reverse("comptes:confirmer_email", args=[jeton])
    ancienne = utilisateur.email
    transaction.on_commit(lambda: tasks.envoyer_email_confirmation_adresse(nouvel_email, lien))
    transaction.on_commit(
        lambda: tasks.prevenir_ancienne_adresse(ancienne, nouvel_email, confirme=False)
    )
    return nouvel_email


def _changement_email_du_lien(jeton: str, *, verrouiller: bool) -> tuple[Utilisateur, str]:
    try:
        donnees = signing.loads(jeton, salt=SEL_EMAIL, max_age=settings.PASSWORD_RESET_TIMEOUT)
    except signing.BadSignature as e:
        raise ErreurMetier(
            "Ce lien de confirmation n'est pas valide ou a expiré : refaites la demande.",
            code="lien_invalide",
        ) from e
    comptes = Utilisateur.objects.select_for_update() if verrouiller else Utilisateur.objects
    utilisateur = comptes.filter(pk=donnees["u"]).first()
    if utilisateur is None or utilisateur.email != donnees["a"]:
        raise ErreurMetier("Ce lien a déjà servi ou n'est plus valable.", code="lien_invalide")
    return utilisateur, donnees["e"]


def changement_email_propose(jeton: str) -> tuple[Utilisateur, str]:
    """What the confirmation link proposes (the account, the new address), changing nothing:
    the page shows it and a button confirms, so that a mail scanner following the link does
    not change anyone's address (as `habilitation_proposee`)."""
    return _changement_email_du_lien(jeton, verrouiller=False)


@transaction.atomic
def confirmer_changement_email(jeton: str) -> Utilisateur:
    utilisateur, _ = _changement_email_du_lien(jeton, verrouiller=True)
    donnees = signing.loads(jeton, salt=SEL_EMAIL, max_age=settings.PASSWORD_RESET_TIMEOUT)
    if Utilisateur.objects.filter(email__iexact=donnees["e"]).exclude(pk=utilisateur.pk).exists():
        raise ErreurMetier(
            "Cette adresse est entre-temps devenue celle d'un autre compte.",
            code="email_deja_utilise",
        )
    ancien = utilisateur.email
    utilisateur.email = donnees["e"]
    try:
        with transaction.atomic():
            utilisateur.save(update_fields=["email"])
    except IntegrityError as e:
        raise ErreurMetier(
            "Cette adresse est déjà celle d'un autre compte.", code="email_deja_utilise"
        ) from e
    journaliser(
        EvenementAudit.Action.EMAIL_MODIFIE,
        utilisateur=utilisateur,
        objet=utilisateur,
        resume="Adresse e-mail modifiée",
        details={"ancien_domaine": ancien.split("@")[-1]},
    )
    nouvelle = utilisateur.email
    transaction.on_commit(lambda: tasks.prevenir_ancienne_adresse(ancien, nouvelle, confirme=True))
    return utilisateur


class ConfirmationDemandee(ErreurMetier):
    """The habilitation is not made yet: the person must accept it (`accepter_habilitation`)."""

    statut_http = 202
    code = "confirmation_demandee"


SEL_HABILITATION = "sne.comptes.habilitation-a-accepter"


@transaction.atomic
def ajouter_agent(guichet, *, par, email: str, prenom: str, nom: str, role: str, base_url: str):
    """Give a person a habilitation on a desk, creating their account when needed, and invite
    a new account to activate itself (FAQ: « l'habilitation est créée dans la journée »); on a
    desk whose set-up is not finalised yet, the invitation waits for the finalisation.

    An existing account that the gestionnaire does not manage yet (no habilitation in force in
    their départements) is neither named to them nor habilitated at once: the person receives
    a signed link to accept the habilitation (`ConfirmationDemandee`), else a gestionnaire
    could habilitate anybody to read their trail or give them rights they did not ask for."""
    email = normaliser_email(email)
    try:
        validate_email(email)
    except ValidationError as e:
        raise ErreurMetier(
            "Cette adresse e-mail n'est pas valide (une virgule à la place d'un point ?).",
            code="email_invalide",
        ) from e
    utilisateur = Utilisateur.objects.filter(email__iexact=email).first()
    nouveau = utilisateur is None
    if utilisateur is not None and utilisateur.est_compte_systeme:
        raise ErreurMetier(
            "Cette adresse est celle du compte technique des systèmes connectés d'un guichet : "
            "donnez l'adresse personnelle de l'agent.",
            code="compte_systeme",
        )
    if nouveau:
        utilisateur = Utilisateur.objects.create_user(
            email, None, prenom=prenom.strip(), nom=nom.strip()
        )
    elif not Utilisateur.objects.visibles_par(par).filter(pk=utilisateur.pk).exists():
        exiger(droits_de(par).gere_guichet(guichet), "Ce guichet n'est pas dans vos départements.")
        demander_accord_habilitation(utilisateur, role, guichet=guichet, par=par, base_url=base_url)
        raise ConfirmationDemandee(
            f"L'adresse {email} est celle d'un compte existant, habilité hors de vos "
            "départements : l'habilitation prendra effet quand la personne l'aura acceptée par "
            f"le lien qui vient de lui être envoyé (valable "
            f"{settings.PASSWORD_RESET_TIMEOUT // 3600} heures).",
        )
    elif (
        (prenom and nom)
        and (utilisateur.prenom.lower(), utilisateur.nom.lower())
        != (prenom.strip().lower(), nom.strip().lower())
        and (utilisateur.prenom or utilisateur.nom)
    ):
        raise ErreurMetier(
            f"L'adresse {email} est déjà celle de {utilisateur.nom_complet} : une adresse "
            "identifie une seule personne. Demandez une adresse personnelle pour chaque agent.",
            code="email_deja_utilise",
        )
    habiliter(utilisateur, role, par=par, guichet=guichet)
    if (nouveau or not utilisateur.has_usable_password()) and guichet.est_parametre:
        inviter(utilisateur, guichet=guichet, par=par, base_url=base_url)
    return utilisateur, nouveau


def demander_accord_habilitation(utilisateur, role, *, guichet, par, base_url: str) -> None:
    """E-mail the person a signed link to accept a habilitation on a desk (sent at once: the
    caller refuses the immediate habilitation and rolls back)."""
    jeton = signing.dumps(
        {"u": utilisateur.pk, "r": role, "g": guichet.pk, "p": par.pk}, salt=SEL_HABILITATION
    )
    lien = base_url + reverse("comptes:accepter_habilitation", args=[jeton])
    tasks.envoyer_email_accord_habilitation(utilisateur.pk, str(guichet), role, lien)


def habilitation_proposee(jeton: str) -> dict:
    """What a link of `demander_accord_habilitation` proposes, if it is valid and unexpired."""
    guichets = Habilitation.guichet.field.related_model.objects  # organisations is above
    try:
        donnees = signing.loads(
            jeton, salt=SEL_HABILITATION, max_age=settings.PASSWORD_RESET_TIMEOUT
        )
        return {
            "utilisateur": Utilisateur.objects.get(pk=donnees["u"], is_active=True),
            "role": donnees["r"],
            "guichet": guichets.get(pk=donnees["g"]),
            "par": Utilisateur.objects.get(pk=donnees["p"], is_active=True),
        }
    except (signing.BadSignature, KeyError, ObjectDoesNotExist) as e:
        raise ErreurMetier(
            "Ce lien n'est pas valide ou a expiré : demandez au gestionnaire de refaire "
            "l'habilitation.",
            code="lien_invalide",
        ) from e


@transaction.atomic
def accepter_habilitation(jeton: str) -> Habilitation:
    """The person accepts the habilitation a gestionnaire proposed; the gestionnaire's rights
    are checked again now (they may have lost the département since)."""
    proposee = habilitation_proposee(jeton)
    return habiliter(
        proposee["utilisateur"], proposee["role"], par=proposee["par"], guichet=proposee["guichet"]
    )
