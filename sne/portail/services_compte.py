"""The applicant's account on the portal: the code télédemandeur, the login, the activation of
an e-mail address, and what the signed-in applicant does on their own demande (FAQ « Portail
Grand Public », /work/shared/seed/faq-sne.txt; issue 13).

The FAQ's login: « le demandeur saisit son numéro unique, sa date de naissance, l'adresse mail
renseignée lors de l'enregistrement de sa demande et son code télédemandeur ». The code is sent
by e-mail; when no e-mail is known or it changed, by SMS or by letter, at the applicant's
choice. When the e-mail typed differs from the known one (or none is known) the system asks
« L'adresse électronique renseignée diffère de celle connue pour ce numéro unique. Souhaitez-vous
mettre à jour votre adresse électronique ? »; after yes, an e-mail with an activation link;
clicking it activates the address (`AdresseVerifiee`).

What is never told: whether a numéro unique exists, which of the four fields was wrong. Asking
a code always answers the same sentence; a failed login always the same message. Both are
rate-limited per numéro unique and per IP address (`SNE_PORTAIL_TENTATIVES_MAX`, counted in the
database: `commun.trop_de_tentatives`).

Where the code and the link live, and why (a secret kept in clear is a secret to lose):
- `CodeTeledemandeur` keeps only the code's hash (`make_password`); `LienActivation.jeton`
  keeps only the SHA-256 of the link's token (a random 256-bit token needs no slow hash).
- Every message goes through `sne.notifications` (so that the desk's « Courriers et messages »
  tab and the applicant's page list it, with its delivery events), but an e-mail or an SMS is
  recorded with the code or the link masked; the real text is written in memory and handed
  to the provider right after the commit (`notifications.services.envoyer_secret`). If the
  provider fails, the message is cancelled rather than retried with a masked text: the
  applicant asks again (the page says so).
- A letter must carry the code until it is printed: its data keep the code until its print
  run's PDF is rendered (`notifications.services.rendre_tournee` masks it then). The print
  run's PDF holds it, as the envelope does; a code sent by post expires after
  `SNE_PORTAIL_VALIDITE_CODE_HEURES["courrier"]`. A reprint shows it masked.

Everything the applicant does goes through the desks' services (`renouveler`,
`modifier_demande`, `radier`) as `DemandeurEnLigne` on the portal's desk (`commun.le_demandeur`):
the history shows the portal's desk and no agent, the audit log the same; every page that shows
the demande to the applicant is audited (`lire_ma_demande`).
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from sne.attestations import services as documents
from sne.attestations.models import Attestation
from sne.audit.models import EvenementAudit
from sne.demandes import nomenclatures as n
from sne.demandes import services as demandes
from sne.demandes.models import Demande
from sne.demandes.numero import normaliser
from sne.demandes.regles import PREAVIS_RENOUVELLEMENT_MOIS, mois_apres
from sne.demandes.schemas import valider_email
from sne.exceptions import ErreurMetier, Introuvable
from sne.notifications import services as notifications
from sne.notifications.models import Message

from .commun import (
    CHIFFRES_DU_CODE,
    cle_numero,
    code_valide,
    journaliser_demandeur,
    le_demandeur,
    noter_tentative,
    trop_de_tentatives,
)
from .models import AdresseVerifiee, CodeTeledemandeur, LienActivation, Tentative

Canal = CodeTeledemandeur.Canal

LIENS_PAR_HEURE = 5  # activation links one demande may send in an hour
# A second request for a code by the same channel within this delay is the first one sent
# twice: it sends nothing (else the first code, maybe the one read, would be replaced).
DOUBLE_ENVOI = timedelta(minutes=1)

LIBELLES_CANAL = {
    Canal.EMAIL: "courriel",
    Canal.SMS: "SMS",
    Canal.COURRIER: "courrier postal",
}
MESSAGE_REFUS = (
    "Ces informations ne permettent pas d'accéder à une demande. Vérifiez votre numéro unique, "
    "votre date de naissance, votre adresse électronique et votre code, puis réessayez."
)
QUESTION_EMAIL = (
    "L'adresse électronique renseignée diffère de celle connue pour ce numéro unique. "
    "Souhaitez-vous mettre à jour votre adresse électronique ?"
)


def message_code_envoye(canal: str) -> str:
    """The one answer to a request for a code, whatever happened (FAQ: never says whether the
    numéro unique exists)."""
    return (
        "Si ces informations correspondent à une demande, votre code vous a été envoyé par "
        f"{LIBELLES_CANAL.get(canal, 'courrier postal')} ; sans adresse électronique ou mobile "
        "connus, il part par courrier à votre adresse."
    )


# --- Shared helpers --------------------------------------------------------------------------


def _cle_ip(ip: str | None) -> str:
    return f"ip:{ip or 'inconnue'}"


def _hacher_jeton(jeton: str) -> str:
    return hashlib.sha256(jeton.encode()).hexdigest()


def _normaliser_email(email: str) -> str:
    return (email or "").strip().lower()


def reessayer_a_partir_de(type_: str, *cles: str) -> datetime:
    """When the blocked attempts of these keys free up again: the oldest failure of the window
    leaves it then."""
    maximum, minutes = settings.SNE_PORTAIL_TENTATIVES_MAX[type_]
    fenetre = timedelta(minutes=minutes)
    depuis = timezone.now() - fenetre
    plus_tard = timezone.now()
    for cle in cles:
        echecs = list(
            Tentative.objects.filter(type=type_, cle=cle, horodatage__gte=depuis, reussie=False)
            .order_by("-horodatage")
            .values_list("horodatage", flat=True)[:maximum]
        )
        if len(echecs) >= maximum:
            plus_tard = max(plus_tard, echecs[-1] + fenetre)
    return plus_tard


def _message_bloque(quand: datetime) -> str:
    return (
        "Trop d'essais en peu de temps. Pour votre sécurité, réessayez à partir de "
        f"{timezone.localtime(quand):%H:%M} (le {timezone.localtime(quand):%d/%m/%Y})."
    )


class TropDeTentatives(ErreurMetier):
    def __init__(self, quand: datetime):
        super().__init__(_message_bloque(quand), code="trop_de_tentatives")
        self.quand = quand


def _demande_du(numero: str, date_naissance: date | None) -> Demande | None:
    """The demande whose numéro and demandeur's birth date match, or None (whichever is wrong)."""
    if not numero or date_naissance is None:
        return None
    demande = (
        Demande.objects.select_related("departement")
        .prefetch_related("personnes")
        .filter(numero_unique=numero)
        .first()
    )
    if demande is None or demande.demandeur is None:
        return None
    if demande.demandeur.date_naissance != date_naissance:
        return None
    return demande


def _adresse_pour_lien(jeton: str) -> str:
    """Links in e-mails come from the configured site URL, never from the request's Host."""
    return settings.SNE_URL_SITE.rstrip("/") + reverse("portail:activation", args=[jeton])


# --- The code télédemandeur -------------------------------------------------------------------


def demander_code(numero: str, date_naissance: date | None, canal: str, ip: str | None) -> str:
    """Send a new code télédemandeur (FAQ « Portail Grand Public »: by e-mail; by SMS or
    letter at the applicant's choice when the e-mail is missing or changed). Returns the one
    sentence the page shows, whatever happened (`message_code_envoye`): an unknown numéro, a
    wrong birth date, a channel without address are never told apart.

    The code: 8 digits (`secrets`), only its hash kept, valid `SNE_PORTAIL_VALIDITE_CODE_HEURES`
    for the channel used; it replaces the previous code. An e-mail asked without a known
    address, an SMS without a mobile, go by letter. A radiée demande may still get a code: its
    applicant sees what happened. Rate-limited per numéro and per IP (`TropDeTentatives`,
    saying when to try again)."""
    numero = normaliser(numero)
    cles = (cle_numero(numero), _cle_ip(ip))
    if trop_de_tentatives(Tentative.Type.CODE, *cles):
        raise TropDeTentatives(reessayer_a_partir_de(Tentative.Type.CODE, *cles))
    if canal not in Canal.values:
        canal = Canal.EMAIL
    # Every request counts, found or not: the limit says nothing about the numéro either.
    noter_tentative(Tentative.Type.CODE, *cles)
    demande = _demande_du(numero, date_naissance)
    if demande is not None:
        _envoyer_code(demande, canal, ip)
    return message_code_envoye(canal)


def _canal_possible(demande: Demande, canal: str) -> str:
    demandeur = demande.demandeur
    if canal == Canal.EMAIL and notifications.email_utilisable(demandeur):
        return Canal.EMAIL
    if canal == Canal.SMS and notifications.mobile(demandeur):
        return Canal.SMS
    return Canal.COURRIER


def _envoyer_code(demande: Demande, canal: str, ip: str | None) -> None:
    canal = _canal_possible(demande, canal)
    maintenant = timezone.now()
    if CodeTeledemandeur.objects.filter(
        demande=demande,
        canal=canal,
        remplace_le__isnull=True,
        cree_le__gte=maintenant - DOUBLE_ENVOI,
    ).exists():
        return  # the same request sent twice (a double click): the code just sent stays valid
    code = "".join(secrets.choice("0123456789") for _ in range(CHIFFRES_DU_CODE))
    expire_le = maintenant + timedelta(hours=settings.SNE_PORTAIL_VALIDITE_CODE_HEURES[canal])
    with transaction.atomic():
        CodeTeledemandeur.objects.filter(demande=demande, remplace_le__isnull=True).update(
            remplace_le=maintenant
        )
        nouveau = CodeTeledemandeur.objects.create(
            demande=demande, code_hache=make_password(code), canal=canal, expire_le=expire_le
        )
        reelles = documents.donnees_portail(
            demande, documents.CODE_TELEDEMANDEUR, secret=code, valable_jusqu_au=expire_le
        )
        envoi = notifications.notifier(
            demande,
            Message.Type.CODE_TELEDEMANDEUR,
            # A letter keeps its code until printed; an e-mail or SMS never (module docstring).
            donnees=reelles if canal == Canal.COURRIER else documents.masquer_secrets(reelles),
            reference=f"c{nouveau.pk}",
            source="portail",
            canaux_choisis=[canal],
            secret=True,
        )
        journaliser_demandeur(
            EvenementAudit.Action.ACTIVATION_DEMANDEE,
            demande,
            f"Code télédemandeur envoyé ({LIBELLES_CANAL[canal]})",
            details={"canal": canal},
            adresse_ip=ip,
        )
        transaction.on_commit(lambda: _envoyer_secrets(envoi.messages, reelles))


def _envoyer_secrets(messages, donnees: dict) -> None:
    for message in messages:
        notifications.envoyer_secret(message, donnees)


# --- Logging in ------------------------------------------------------------------------------


@dataclass
class Connexion:
    """What a login attempt leads to (`verifier_connexion`)."""

    CONNECTE = "connecte"
    EMAIL_A_CONFIRMER = "email_a_confirmer"
    LIEN_ENVOYE = "lien_envoye"
    REFUSE = "refuse"
    BLOQUE = "bloque"

    etat: str
    demande: Demande | None = None
    email: str = ""
    message: str = ""
    reessayer_a: datetime | None = field(default=None)


def verifier_connexion(
    numero: str, date_naissance: date | None, email: str, code: str, ip: str | None
) -> Connexion:
    """Check the four fields of the FAQ's login (numéro unique, date de naissance, e-mail given
    at registration, code télédemandeur), all required.

    - any of them wrong, the code expired or replaced: `REFUSE` with one message that never says
      which (`MESSAGE_REFUS`), the failure counted per numéro and per IP;
    - too many failures: `BLOQUE`, saying when to try again;
    - all right but the e-mail typed differs from the known one, or none is known:
      `EMAIL_A_CONFIRMER` (the FAQ's question, `QUESTION_EMAIL`);
    - all right, the same e-mail, never activated: an activation link is sent, `LIEN_ENVOYE`;
    - all right, the e-mail activated: `CONNECTE` (a radiée demande too: read-only).
    """
    numero = normaliser(numero)
    email = _normaliser_email(email)
    code = (code or "").strip().replace(" ", "")
    cles = (cle_numero(numero), _cle_ip(ip))
    if trop_de_tentatives(Tentative.Type.CONNEXION, *cles):
        quand = reessayer_a_partir_de(Tentative.Type.CONNEXION, *cles)
        return Connexion(Connexion.BLOQUE, message=_message_bloque(quand), reessayer_a=quand)
    demande = _demande_du(numero, date_naissance) if email and code else None
    if not code_valide(demande, code):
        noter_tentative(Tentative.Type.CONNEXION, *cles)
        if demande is not None:
            journaliser_demandeur(
                EvenementAudit.Action.CONNEXION_ECHOUEE,
                demande,
                "Connexion au portail refusée",
                adresse_ip=ip,
            )
        return Connexion(Connexion.REFUSE, message=MESSAGE_REFUS)
    connue = _normaliser_email(demande.demandeur.email)
    verifiee = AdresseVerifiee.objects.filter(demande=demande).first()
    adresse_verifiee = _normaliser_email(verifiee.email) if verifiee else ""
    # A radiée demande cannot take a new e-mail: its activated address is enough to read it.
    if adresse_verifiee == email and (email == connue or not demande.est_active):
        noter_tentative(Tentative.Type.CONNEXION, *cles, reussie=True)
        journaliser_demandeur(
            EvenementAudit.Action.CONNEXION,
            demande,
            "Connexion du demandeur au portail",
            adresse_ip=ip,
        )
        return Connexion(Connexion.CONNECTE, demande=demande)
    if email != connue:
        return Connexion(
            Connexion.EMAIL_A_CONFIRMER, demande=demande, email=email, message=QUESTION_EMAIL
        )
    envoyer_lien_activation(demande, email)
    return Connexion(Connexion.LIEN_ENVOYE, demande=demande, email=email)


# --- The activation link ----------------------------------------------------------------------


def envoyer_lien_activation(demande: Demande, email: str) -> LienActivation:
    """Send the link that activates `email` for this demande (FAQ: « un mail contenant un lien
    d'activation lui sera alors adressé […] il doit alors cliquer sur le lien contenu dans ce
    mail pour activer son adresse mail »): single use, valid `SNE_PORTAIL_VALIDITE_LIEN_HEURES`,
    only the token's hash kept; the e-mail goes to the address to activate (it proves the
    applicant reads it), recorded with the link masked. At most `LIENS_PAR_HEURE` an hour."""
    email = _normaliser_email(email)
    try:
        email = valider_email(email)
    except ValueError as e:
        raise ErreurMetier(str(e), code="email_invalide", champ="email") from e
    maintenant = timezone.now()
    recents = LienActivation.objects.filter(
        demande=demande, cree_le__gte=maintenant - timedelta(hours=1)
    ).count()
    if recents >= LIENS_PAR_HEURE:
        raise ErreurMetier(
            "Plusieurs liens d'activation ont déjà été envoyés depuis une heure. Vérifiez votre "
            "messagerie (et les courriers indésirables), ou réessayez plus tard.",
            code="trop_de_liens",
        )
    jeton = secrets.token_urlsafe(32)
    expire_le = maintenant + timedelta(hours=settings.SNE_PORTAIL_VALIDITE_LIEN_HEURES)
    with transaction.atomic():
        lien = LienActivation.objects.create(
            demande=demande, jeton=_hacher_jeton(jeton), email=email, expire_le=expire_le
        )
        reelles = documents.donnees_portail(
            demande,
            documents.LIEN_ACTIVATION,
            secret=_adresse_pour_lien(jeton),
            valable_jusqu_au=expire_le,
        )
        envoi = notifications.notifier(
            demande,
            Message.Type.LIEN_ACTIVATION,
            donnees=documents.masquer_secrets(reelles),
            reference=f"l{lien.pk}",
            source="portail",
            canaux_choisis=[Message.Canal.EMAIL],
            destinataire=email,
            secret=True,
        )
        journaliser_demandeur(
            EvenementAudit.Action.ACTIVATION_DEMANDEE,
            demande,
            "Lien d'activation d'une adresse électronique envoyé",
        )
        transaction.on_commit(lambda: _envoyer_secrets(envoi.messages, reelles))
    return lien


class LienInvalide(ErreurMetier):
    pass


def activer(jeton: str) -> Demande:
    """The applicant opened the activation link: the address is theirs (`AdresseVerifiee`).
    A new address replaces the demandeur's e-mail through `modifier_demande`, the applicant as
    the actor (history: the portal's desk, no agent); the demande now counts as followed online
    (`demarches_en_ligne`, CCH R441-2-7: the notices go by e-mail). Single use: a replayed,
    expired or unknown link raises `LienInvalide` (code `lien_utilise`, `lien_expire`,
    `lien_inconnu`). Returns the demande, for the view to open the session."""
    with transaction.atomic():
        lien = (
            LienActivation.objects.select_for_update()
            .filter(jeton=_hacher_jeton(jeton or ""))
            .first()
        )
        if lien is None:
            raise LienInvalide(
                "Ce lien d'activation n'est pas valide. Il a peut-être été mal copié.",
                code="lien_inconnu",
            )
        if lien.utilise_le is not None:
            raise LienInvalide(
                f"Ce lien a déjà servi, le {timezone.localtime(lien.utilise_le):%d/%m/%Y à %H:%M}"
                ". Un lien d'activation ne sert qu'une fois.",
                code="lien_utilise",
            )
        if lien.expire_le <= timezone.now():
            raise LienInvalide(
                f"Ce lien a expiré le {timezone.localtime(lien.expire_le):%d/%m/%Y à %H:%M}.",
                code="lien_expire",
            )
        demande = Demande.objects.prefetch_related("personnes").get(pk=lien.demande_id)
        lien.utilise_le = timezone.now()
        lien.save(update_fields=["utilise_le"])
        # The other links of the demande stop working: only the address just proved counts.
        LienActivation.objects.filter(demande=demande, utilise_le__isnull=True).update(
            expire_le=lien.utilise_le
        )
        demandeur = demande.demandeur
        if demande.est_active and _normaliser_email(demandeur.email) != lien.email:
            demandes.modifier_demande(
                demande, *le_demandeur(demande), personnes={demandeur.pk: {"email": lien.email}}
            )
            journaliser_demandeur(
                EvenementAudit.Action.EMAIL_MODIFIE,
                demande,
                "Adresse électronique modifiée par le demandeur (lien d'activation)",
            )
        AdresseVerifiee.objects.update_or_create(
            demande=demande, defaults={"email": lien.email, "verifiee_le": lien.utilise_le}
        )
        _en_ligne(demande)
        journaliser_demandeur(
            EvenementAudit.Action.COMPTE_ACTIVE,
            demande,
            "Adresse électronique activée sur le portail",
        )
    return demande


def _en_ligne(demande: Demande) -> None:
    """The applicant uses the portal (CCH R441-2-7: the renewal notices go by e-mail)."""
    Demande.objects.filter(pk=demande.pk, demarches_en_ligne=False).update(demarches_en_ligne=True)
    demande.demarches_en_ligne = True


# --- What the signed-in applicant sees ----------------------------------------------------------


def ouverture_renouvellement(demande: Demande) -> date:
    """From this day on the applicant may renew online: the notice window (one month before the
    expiry, `PREAVIS_RENOUVELLEMENT_MOIS`, CCH R441-2-7)."""
    return mois_apres(demande.date_expiration, -PREAVIS_RENOUVELLEMENT_MOIS)


def peut_renouveler(demande: Demande) -> bool:
    if demande.est_active:
        return timezone.localdate() >= ouverture_renouvellement(demande)
    return demande.motif_radiation == n.MotifRadiation.NON_RENOUVELLEMENT and demandes.reactivable(
        demande
    )


def lire_ma_demande(demande: Demande, resume: str = "Consultation de sa demande en ligne") -> None:
    """A page of the portal showed the demande to its applicant: in the audit log."""
    journaliser_demandeur(
        EvenementAudit.Action.CONSULTATION,
        demande,
        resume,
    )


def messages_envoyes(demande: Demande):
    """Every message sent to the applicant, newest first (type, channel, date, status)."""
    return Message.objects.filter(demande=demande).order_by("-cree_le", "-pk")


def attestations_de(demande: Demande):
    """The attestations the applicant may download: theirs, with a file."""
    return (
        Attestation.objects.filter(demande=demande, type__in=documents.ATTESTATIONS)
        .exclude(fichier="")
        .order_by("-creee_le", "-pk")
    )


def telecharger_attestation(demande: Demande, attestation_id: int) -> tuple[str, bytes]:
    """The PDF of one of the signed-in applicant's own attestations; another's is not found
    (never told apart from one that does not exist). Audited like a consultation."""
    attestation = attestations_de(demande).filter(pk=attestation_id).first()
    if attestation is None:
        raise Introuvable("Cette attestation n'existe pas.")
    contenu = documents.contenu_pdf(attestation)
    journaliser_demandeur(
        EvenementAudit.Action.CONSULTATION,
        demande,
        f"Téléchargement de l'{attestation.get_type_display().lower()} par le demandeur",
        details={"attestation": attestation.pk},
    )
    return attestation.fichier.name.rsplit("/", 1)[-1], contenu


# --- What the signed-in applicant does ------------------------------------------------------------


def renouveler_en_ligne(demande: Demande) -> Demande:
    """Renew online (FAQ: the applicant renews on the portal; CCH R441-2-7), through the desks'
    `renouveler` (a new attestation de renouvellement is sent by its signal), from the notice
    window on (one month before the expiry): before, the refusal says from when. A demande
    struck off for non-renewal and still reactivable is reactivated and renewed. The demande
    then counts as followed online (`demarches_en_ligne`)."""
    if demande.est_active and not peut_renouveler(demande):
        ouverture = ouverture_renouvellement(demande)
        raise ErreurMetier(
            f"Votre demande est valable jusqu'au {demande.date_expiration:%d/%m/%Y}. Vous "
            f"pourrez la renouveler à partir du {ouverture:%d/%m/%Y}, un mois avant cette date.",
            code="renouvellement_trop_tot",
        )
    if not demande.est_active and not peut_renouveler(demande):
        raise ErreurMetier(
            "Votre demande est radiée : elle ne peut plus être renouvelée. Pour une nouvelle "
            "demande, adressez-vous à un guichet ou faites une demande en ligne.",
            code="demande_radiee",
        )
    with transaction.atomic():
        demande = demandes.renouveler(demande, *le_demandeur(demande))
        _en_ligne(demande)
    return demande


# The demandeur's fields the applicant changes online (the e-mail: `envoyer_lien_activation`).
CHAMPS_PERSONNE_EN_LIGNE = (
    "telephone",
    "adresse_ligne1",
    "adresse_ligne2",
    "code_postal",
    "commune",
    "situation_familiale",
    "situation_professionnelle",
    "employeur",
    "revenus_mensuels",
)
# The demande's fields the applicant changes online: those a desk changes, but the DALO status
# (decided by the mediation commission, entered by a desk) and the association a demande is
# made for (applicants apply for their own household).
CHAMPS_DEMANDE_EN_LIGNE = tuple(
    champ
    for champ in demandes.CHAMPS_DEMANDE_MODIFIABLES
    if champ != "statut_dalo" and not champ.startswith("association")
)


def modifier_en_ligne(
    demande: Demande,
    *,
    personne: dict | None = None,
    demande_valeurs: dict | None = None,
    communes: list[str] | None = None,
    version: int | None = None,
) -> list[dict]:
    """The applicant updates their contact details (phone, postal address), situation,
    resources or wishes (communes, typologies) through the desks' `modifier_demande` (history
    with the portal's desk, no attestation — FAQ). The e-mail changes only through the
    activation link (`envoyer_lien_activation`): proved before it replaces the known one.
    Identity, household and what only a desk checks (identity documents, NIR) stay at the
    desk. Returns the changes recorded."""
    personne = dict(personne or {})
    if "email" in personne:
        raise ErreurMetier(
            "Votre adresse électronique se change avec un lien d'activation.",
            code="email_par_lien",
            champ="email",
        )
    interdits = (set(personne) - set(CHAMPS_PERSONNE_EN_LIGNE)) | (
        set(demande_valeurs or {}) - set(CHAMPS_DEMANDE_EN_LIGNE)
    )
    if interdits:
        raise ErreurMetier(
            "Ces informations se modifient auprès d'un guichet : " + ", ".join(sorted(interdits)),
            code="champ_guichet",
        )
    demandeur = demande.demandeur
    with transaction.atomic():
        changements = demandes.modifier_demande(
            demande,
            *le_demandeur(demande),
            demande_valeurs=demande_valeurs or None,
            personnes={demandeur.pk: personne} if personne else None,
            communes=communes,
            version=version,
        )
        _en_ligne(demande)
    return changements


def renoncer(demande: Demande) -> Demande:
    """The applicant gives up their demande (radiation for renonciation, at once: CCH
    R441-2-8), after the confirmation screen; the same `radier` as a desk's."""
    moi, guichet = le_demandeur(demande)
    return demandes.radier(
        demande,
        n.MotifRadiation.RENONCIATION,
        par=moi,
        guichet=guichet,
        commentaire="Renonciation du demandeur, en ligne.",
    )
