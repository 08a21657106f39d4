"""Messages to applicants: which channels, the outbox that sends them, the print runs of
letters, the delivery events, and what desks and gestionnaires see of them.

Every message to an applicant goes through `notifier` (one message per channel, recorded
before anything is sent) and leaves through `envoyer_message` (e-mail, SMS) or a `Tournee`
(letters). Its content is kept as sent and each step of its delivery is an `EvenementMessage`.

The channel rule (CCH R441-2-7, DESIGN « The Demande lifecycle »): the renewal notice goes by
post — and by e-mail too when an address is known — to an applicant who never registered or
renewed on the portal themselves; by e-mail to one who did; by both when they asked for post.
An applicant with neither a usable postal address nor an e-mail address is never skipped in
silence: the message is recorded as impossible to send (`NON_DISTRIBUABLE`) and listed for the
desk (`a_corriger`).
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

import phonenumbers
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from sne.attestations import services as documents
from sne.attestations.models import Attestation
from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser, journaliser_lecture
from sne.comptes.droits import droits_de
from sne.demandes.models import Demande, Personne
from sne.demandes.schemas import valider_email
from sne.exceptions import ErreurMetier, NonAutorise

from .models import EvenementMessage, Message, Tournee
from .sms import ErreurSms, envoyer_sms

logger = logging.getLogger(__name__)

Canal = Message.Canal
Statut = Message.Statut
Evenement = EvenementMessage.Type

# After a failed sending, the next try waits longer and longer, then twice a day: the message
# is never dropped (a provider down for a week delivers its backlog when it comes back).
ATTENTES_APRES_ECHEC = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=4),
    timedelta(hours=12),
)
# A message taken by a worker is its alone for this long; a worker that died meanwhile leaves
# it to the next one (sent at least once, never lost).
BAIL_ENVOI = timedelta(minutes=15)
TAILLE_LOT_ENVOI = 200
# The rendering holds ~1 MB a page until the PDF is written (bench/rendu.py): 500 letters of
# at most four pages stay under 2 GB; a département with more prints several tournées.
TAILLE_MAX_TOURNEE = 500

TYPES_ATTESTATION = {
    Attestation.Type.ENREGISTREMENT: Message.Type.ATTESTATION_ENREGISTREMENT,
    Attestation.Type.RENOUVELLEMENT: Message.Type.ATTESTATION_RENOUVELLEMENT,
}
AVIS_DE_CAMPAGNE = (Message.Type.PREAVIS_RENOUVELLEMENT, Message.Type.AVIS_RADIATION)


# --- Who can be written to, and how -------------------------------------------------------


def adresse_postale_complete(personne: Personne | None) -> bool:
    """A letter needs a street line, a postcode and a commune (La Poste cannot route less)."""
    return bool(
        personne
        and personne.adresse_ligne1.strip()
        and personne.code_postal.strip()
        and personne.commune_id
    )


def email_utilisable(personne: Personne | None) -> str:
    """The applicant's e-mail address if it is a valid one, else ""."""
    if personne is None or not personne.email:
        return ""
    try:
        return valider_email(personne.email)
    except ValueError:
        return ""


def mobile(personne: Personne | None) -> str:
    """The applicant's number when it is a mobile one (E.164), else "": an SMS is never sent
    to a landline."""
    if personne is None or not personne.telephone:
        return ""
    try:
        numero = phonenumbers.parse(personne.telephone, "FR")
    except phonenumbers.NumberParseException:
        return ""
    if phonenumbers.number_type(numero) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        return ""
    return phonenumbers.format_number(numero, phonenumbers.PhoneNumberFormat.E164)


def canaux(demande: Demande, demandeur: Personne | None, type_: str) -> list[str]:
    """The channels of a message (CCH R441-2-7 for the renewal campaign's notices).

    - renewal notice and radiation notice: by post, and by e-mail when known, for an applicant
      who never registered or renewed on the portal; by e-mail for one who did (by post if the
      address is missing or invalid); both when they asked for post; an SMS in addition when
      a mobile is known and the setting `SNE_SMS_AVIS` allows it;
    - attestation and separation notice: by e-mail when known, by post otherwise, and by post
      as well when they asked for it.

    Always at least one channel: when nothing can carry it, the letter is recorded as
    impossible to send, for the desk to correct the address.
    """
    email = email_utilisable(demandeur)
    if type_ in AVIS_DE_CAMPAGNE:
        if demande.demarches_en_ligne and email and not demande.courrier_postal_souhaite:
            choisis = [Canal.EMAIL]
        else:
            choisis = [Canal.COURRIER] + ([Canal.EMAIL] if email else [])
        if getattr(settings, "SNE_SMS_AVIS", True) and mobile(demandeur):
            choisis.append(Canal.SMS)
        return choisis
    if email:
        return [Canal.EMAIL] + ([Canal.COURRIER] if demande.courrier_postal_souhaite else [])
    return [Canal.COURRIER]


def cle_message(type_: str, demande_id: int, canal: str, reference) -> str:
    """The idempotency key of a message: one per document (`reference`: the attestation, the
    expiry of the cycle, the separation), applicant and channel."""
    return f"{type_}:{demande_id}:{reference}:{canal}"


# --- Recording messages --------------------------------------------------------------------


def _evenement(message, type_, *, source, utilisateur=None, details=None, le=None):
    return EvenementMessage(
        message=message,
        type=type_,
        survenu_le=le or timezone.now(),
        source=source,
        utilisateur=utilisateur,
        details=details or {},
    )


@dataclass
class Envoi:
    """What `notifier` recorded: the new messages, and those impossible to send."""

    messages: list[Message]
    non_distribuables: int = 0


@dataclass
class Avis:
    """One document to one applicant, as `notifier` takes it: its arguments, for
    `notifier_plusieurs` (the campaign records a batch of demandes at once)."""

    demande: Demande
    type_: str
    donnees: dict
    reference: object
    source: str
    date_avis: date | None = None
    cycle: date | None = None
    attestation: Attestation | None = None
    canaux_choisis: list[str] | None = None
    destinataire: str = ""
    secret: bool = False


def notifier(
    demande: Demande,
    type_: str,
    *,
    donnees: dict,
    reference,
    source: str,
    date_avis: date | None = None,
    cycle: date | None = None,
    attestation: Attestation | None = None,
    canaux_choisis: list[str] | None = None,
    destinataire: str = "",
    secret: bool = False,
) -> Envoi:
    """Record the message `type_` to the demandeur of `demande`, once per channel (`canaux`),
    with its content as sent; nothing is sent here (the outbox does, after the commit).

    `destinataire`: another e-mail address (or mobile) than the demandeur's, for a message that
    must reach it (the portal's activation link, to the address to activate). `secret`: the
    e-mail or SMS carries a secret its stored text hides (a code, a link): the outbox never
    takes it, `envoyer_secret` sends it once with the real text (`donnees` are then the masked
    ones).

    Idempotent: called again for the same document (`reference`), it records nothing more
    (`Message.cle` is unique; a concurrent call loses the race on the constraint and finds the
    row). Returns the messages recorded by this call."""
    return notifier_plusieurs(
        [
            Avis(
                demande,
                type_,
                donnees=donnees,
                reference=reference,
                source=source,
                date_avis=date_avis,
                cycle=cycle,
                attestation=attestation,
                canaux_choisis=canaux_choisis,
                destinataire=destinataire,
                secret=secret,
            )
        ]
    )


def notifier_plusieurs(avis: list[Avis]) -> Envoi:
    """`notifier` for many documents at once (a batch of the campaign), with the same rules:
    the messages not recorded yet are written in one query and their events in another — not
    three queries per message. A concurrent run that recorded some of them meanwhile (the
    unique `Message.cle` refuses the batch) sends us back to one message at a time, each one
    recorded once."""
    prepares = [message for a in avis for message in _preparer(a)]
    deja = set(
        Message.objects.filter(cle__in=[m.cle for m, _ in prepares]).values_list("cle", flat=True)
    )
    nouveaux = [(m, evenements) for m, evenements in prepares if m.cle not in deja]
    envoi = Envoi(messages=[])
    try:
        with transaction.atomic():
            Message.objects.bulk_create([m for m, _ in nouveaux])
        enregistres = nouveaux
    except IntegrityError:
        enregistres = []
        for message, evenements in nouveaux:
            message.pk = None
            try:
                with transaction.atomic():
                    message.save()
            except IntegrityError:
                if Message.objects.filter(cle=message.cle).exists():
                    continue  # recorded already (a retry, a concurrent run)
                raise
            enregistres.append((message, evenements))
    EvenementMessage.objects.bulk_create(e for _, evenements in enregistres for e in evenements)
    envoi.messages = [message for message, _ in enregistres]
    # Only a letter without a postal address is impossible to send when recorded.
    envoi.non_distribuables = sum(m.statut == Statut.ECHEC for m in envoi.messages)
    return envoi


def _preparer(avis: Avis) -> list[tuple[Message, list[EvenementMessage]]]:
    """The messages of one document, one per channel, with their first events; not saved."""
    demande, donnees, source = avis.demande, avis.donnees, avis.source
    demandeur = demande.demandeur
    date_avis = avis.date_avis or timezone.localdate()
    choisis = (
        avis.canaux_choisis
        if avis.canaux_choisis is not None
        else canaux(demande, demandeur, avis.type_)
    )
    prepares = []
    for canal in choisis:
        message = Message(
            demande=demande,
            departement_id=demande.departement_id,
            type=avis.type_,
            canal=canal,
            cle=cle_message(avis.type_, demande.pk, canal, avis.reference),
            date_avis=date_avis,
            cycle=avis.cycle,
            donnees=donnees if avis.attestation is None else {},
            attestation=avis.attestation,
        )
        evenements = [_evenement(message, Evenement.CREE, source=source)]
        if canal == Canal.COURRIER:
            message.adresse = documents.lignes_adresse(documents.destinataire(donnees))
            if adresse_postale_complete(demandeur):
                message.statut = Statut.A_IMPRIMER
            else:
                message.statut = Statut.ECHEC
                message.derniere_erreur = (
                    "Adresse postale incomplète : le courrier ne peut pas partir."
                )
                evenements.append(
                    _evenement(
                        message,
                        Evenement.NON_DISTRIBUABLE,
                        source=source,
                        details={"raison": "adresse_postale_incomplete"},
                    )
                )
        else:
            message.statut = Statut.A_ENVOYER
            # A secret's masked text is never sent by the outbox (`envoyer_secret` sends it).
            message.prochain_essai = None if avis.secret else timezone.now()
            if avis.destinataire:
                message.destinataire = avis.destinataire
                if canal == Canal.EMAIL:
                    message.objet, message.corps = documents.message_email(donnees)
                else:
                    message.corps = documents.message_sms(donnees)
            elif canal == Canal.EMAIL:
                message.destinataire = email_utilisable(demandeur)
                message.objet, message.corps = documents.message_email(donnees)
            else:
                message.destinataire = mobile(demandeur)
                message.corps = documents.message_sms(donnees)
        prepares.append((message, evenements))
    return prepares


def notifier_attestation(attestation: Attestation, *, source: str = "envoi") -> Envoi:
    """The attestation d'enregistrement or de renouvellement to the applicant (CCH R441-2-4;
    FAQ: sent directly to the applicant): by e-mail with the PDF attached when an address is
    known, by post otherwise (« Courriers à imprimer »)."""
    demande = Demande.objects.prefetch_related("personnes").get(pk=attestation.demande_id)
    return notifier(
        demande,
        TYPES_ATTESTATION[attestation.type],
        donnees=attestation.donnees,
        reference=f"a{attestation.pk}",
        source=source,
        attestation=attestation,
    )


def envoyer_attestation(demande_id: int, type_: str) -> Attestation:
    """Produce the attestation (kept, downloadable) and send it: the task run after a
    registration, a renewal or a reactivation that renews. Run twice, it sends nothing twice."""
    attestation = documents.produire_attestation(demande_id, type_)
    with transaction.atomic():
        envoi = notifier_attestation(attestation)
    envoyer_nouveaux(envoi.messages)
    return attestation


def informer_separation(demande_id: int, nouvelle_id: int) -> int:
    """After a duplication for separation (FAQ: married or PACS couples only), tell each of
    the two persons their own numéro unique and that the seniority is kept: by e-mail when
    they have one; without, the demandeur who keeps the demande gets a letter, and the new
    demandeur learns it from the attestation d'enregistrement that already goes by post. The
    other person's number and contact details are never disclosed. One message per person
    per separation, whatever the retries. Returns the number of e-mails this call sent."""
    nouveaux = []
    for pk, nouvelle in ((demande_id, False), (nouvelle_id, True)):
        demande = Demande.objects.prefetch_related("personnes").get(pk=pk)
        demandeur = demande.demandeur
        if demandeur is None or (nouvelle and not email_utilisable(demandeur)):
            continue
        donnees = {**documents.donnees_courrier_separation(demande), "nouvelle": nouvelle}
        with transaction.atomic():
            nouveaux += notifier(
                demande,
                Message.Type.AVIS_SEPARATION,
                donnees=donnees,
                reference=f"s{nouvelle_id}",
                source="envoi",
            ).messages
    return envoyer_nouveaux(nouveaux)


def envoyer_secret(message: Message, donnees: dict) -> bool:
    """Send now, once, an e-mail or SMS recorded with its secret masked (`notifier(…,
    secret=True)`: a code télédemandeur, an activation link): its real text is written here
    from `donnees` (with the secret), handed to the provider, and never stored — the message
    keeps the masked text. A failure does not leave it to the outbox (it would send the masked
    text): the message is cancelled, with its event; the applicant asks for a new code or link.
    A provider's definitive refusal stays « non distribué » (an address to correct). Returns
    whether it left."""
    if message.canal == Canal.COURRIER or message.statut != Statut.A_ENVOYER:
        return False
    reel = Message.objects.get(pk=message.pk)
    if reel.canal == Canal.EMAIL:
        reel.objet, reel.corps = documents.message_email(donnees)
    else:
        reel.corps = documents.message_sms(donnees)
    if envoyer_message(reel):
        message.statut, message.envoye_le = reel.statut, reel.envoye_le
        return True
    with transaction.atomic():
        if Message.objects.filter(pk=message.pk, statut=Statut.A_ENVOYER).update(
            statut=Statut.ANNULE, prochain_essai=None
        ):
            _evenement(
                message,
                Evenement.ANNULE,
                source="envoi",
                details={"raison": "envoi impossible ; le secret n'est pas conservé"},
            ).save()
    return False


def envoyer_nouveaux(messages) -> int:
    """Send now the e-mails and SMS just recorded (after their commit); those that fail stay
    in the outbox for `envoyer_messages_en_attente`. Returns how many left."""
    envoyes = 0
    a_envoyer = [m for m in messages if m.statut == Statut.A_ENVOYER]
    if not a_envoyer:
        return 0
    connexion = get_connection()
    for message in a_envoyer:
        envoyes += envoyer_message(message, connexion=connexion)
    return envoyes


# --- The outbox ----------------------------------------------------------------------------


def _prendre(message: Message) -> bool:
    """Take the message for this worker (a lease): False when another worker has it or it
    left already."""
    maintenant = timezone.now()
    return bool(
        Message.objects.filter(pk=message.pk, statut=Statut.A_ENVOYER)
        .filter(Q(prochain_essai__isnull=True) | Q(prochain_essai__lte=maintenant))
        .update(prochain_essai=maintenant + BAIL_ENVOI)
    )


def _email(message: Message, connexion) -> EmailMessage:
    email = EmailMessage(
        subject=message.objet,
        body=message.corps,
        to=[message.destinataire],
        connection=connexion,
    )
    if message.attestation_id and message.attestation.fichier:
        fichier = message.attestation.fichier
        fichier.open("rb")
        try:
            email.attach(fichier.name.rsplit("/", 1)[-1], fichier.read(), "application/pdf")
        finally:
            fichier.close()
    return email


def _identifiant_fournisseur(email: EmailMessage) -> str:
    """The provider's id of the e-mail (django-anymail's `anymail_status`), matched later by
    its delivery webhooks."""
    statut = getattr(email, "anymail_status", None)
    if statut is None or statut.message_id is None:
        return ""
    return str(statut.message_id)


def envoyer_message(message: Message, *, connexion=None) -> bool:
    """Hand one e-mail or SMS to its provider. On success: `ENVOYE` with its event. On a
    failure: tried again later (`ATTENTES_APRES_ECHEC`), the error recorded as an event —
    never lost; a refusal that cannot change (an address the provider rejects) ends as
    `ECHEC`, listed for the desk to correct. Returns whether this call sent it."""
    if not _prendre(message):
        return False
    if not message.corps:  # taken over from before this app (migration 0002): written now
        _rediger(message)
    try:
        if message.canal == Canal.EMAIL:
            email = _email(message, connexion or get_connection())
            email.send()
            identifiant = _identifiant_fournisseur(email)
        else:
            identifiant = envoyer_sms(message.destinataire, message.corps)
    except Exception as e:  # the provider's failure, whatever its kind: the message stays
        _echec_envoi(message, e)
        return False
    maintenant = timezone.now()
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(
            statut=Statut.ENVOYE,
            envoye_le=maintenant,
            prochain_essai=None,
            identifiant_fournisseur=identifiant or "",
            derniere_erreur="",
            tentatives=message.tentatives + 1,
        )
        _evenement(
            message,
            Evenement.ENVOYE,
            source="envoi",
            le=maintenant,
            details={"identifiant": identifiant} if identifiant else {},
        ).save()
    message.statut, message.envoye_le = Statut.ENVOYE, maintenant
    return True


def _rediger(message: Message) -> None:
    """The text of an e-mail or SMS recorded without it (sent before this app existed, taken
    over by the migration), from the data of its document: kept as sent."""
    donnees = donnees_du_courrier(message)
    if message.canal == Canal.EMAIL:
        message.objet, message.corps = documents.message_email(donnees)
    else:
        message.corps = documents.message_sms(donnees)
    Message.objects.filter(pk=message.pk).update(objet=message.objet, corps=message.corps)


def _definitif(erreur: Exception) -> bool:
    if isinstance(erreur, ErreurSms):
        return erreur.definitive
    return type(erreur).__name__ in ("AnymailRecipientsRefused", "AnymailInvalidAddress")


def _echec_envoi(message: Message, erreur: Exception) -> None:
    tentatives = message.tentatives + 1
    texte = f"{type(erreur).__name__} : {erreur}"[:300]
    definitif = _definitif(erreur)
    attente = ATTENTES_APRES_ECHEC[min(tentatives, len(ATTENTES_APRES_ECHEC)) - 1]
    logger.warning("Envoi du message %s impossible (%s) : %s", message.pk, tentatives, texte)
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(
            tentatives=tentatives,
            derniere_erreur=texte,
            statut=Statut.ECHEC if definitif else Statut.A_ENVOYER,
            prochain_essai=None if definitif else timezone.now() + attente,
        )
        _evenement(
            message,
            Evenement.REBOND if definitif else Evenement.ECHEC_ENVOI,
            source="envoi",
            details={"erreur": texte, "tentative": tentatives},
        ).save()
    message.tentatives = tentatives


def envoyer_messages_en_attente(limite: int = 5000) -> int:
    """The outbox: send the e-mails and SMS due (new, or whose next try has come), in batches
    on one connection. Returns the number sent. Run every minute by the worker, and at the
    end of a campaign."""
    envoyes = 0
    vus = 0
    while vus < limite:
        lot = list(
            Message.objects.filter(statut=Statut.A_ENVOYER, prochain_essai__lte=timezone.now())
            .select_related("attestation")
            .order_by("prochain_essai", "pk")[:TAILLE_LOT_ENVOI]
        )
        if not lot:
            break
        connexion = get_connection()
        for message in lot:
            envoyes += envoyer_message(message, connexion=connexion)
        vus += len(lot)
    return envoyes


# --- Delivery events reported by the provider -----------------------------------------------

STATUTS_APRES = {
    Evenement.REMIS: Statut.REMIS,
    Evenement.REBOND: Statut.ECHEC,
}


def enregistrer_evenement_fournisseur(
    identifiant: str, type_: str, *, le=None, fournisseur: str, details: dict | None = None
) -> int:
    """A delivery event reported by the e-mail or SMS provider (a webhook): delivered,
    bounced, opened… recorded on the message it names (`identifiant_fournisseur`). Returns
    the number of messages it concerned (0 for an unknown id: logged, never an error)."""
    messages = (
        list(Message.objects.filter(identifiant_fournisseur=identifiant)) if identifiant else []
    )
    if not messages:
        logger.info("Événement %s du fournisseur pour un message inconnu : %s", type_, identifiant)
        return 0
    with transaction.atomic():
        for message in messages:
            _evenement(
                message, type_, source=f"fournisseur : {fournisseur}", le=le, details=details
            ).save()
            statut = STATUTS_APRES.get(type_)
            if statut is not None and message.statut != Statut.ANNULE:
                if statut == Statut.ECHEC:
                    raison = (details or {}).get("raison") or "Adresse refusée par la messagerie."
                    Message.objects.filter(pk=message.pk).update(
                        statut=statut, derniere_erreur=str(raison)[:300]
                    )
                elif message.statut != Statut.ECHEC:
                    Message.objects.filter(pk=message.pk).update(statut=statut)
    return len(messages)


# --- Letters: print runs --------------------------------------------------------------------


def courriers_a_imprimer(departement=None, *, par=None):
    """Letters waiting to be printed (not yet in a print run), oldest first. `departement`: a
    `Departement` or its code; `par`: only those of the départements this person manages."""
    courriers = Message.objects.filter(
        statut=Statut.A_IMPRIMER, tournee__isnull=True
    ).select_related("demande", "departement")
    if departement is not None:
        courriers = courriers.filter(departement=departement)
    if par is not None:
        droits = droits_de(par)
        if not droits.national:
            courriers = courriers.filter(departement__in=droits.departements_gestion)
    return courriers.order_by("cree_le", "pk")


def _exiger_gestion(par, departement_id) -> None:
    if not droits_de(par).gere_departement(departement_id):
        raise NonAutorise("Vous ne gérez pas les courriers de ce département.")


def preparer_tournee(departement, *, par=None) -> Tournee | None:
    """Gather the letters waiting in a département into one print run (at most
    `TAILLE_MAX_TOURNEE`; the rest go in the next one). Its PDF is rendered by the worker
    (`rendre_tournee`). None when no letter waits. `par`: the gestionnaire (None: the
    campaign)."""
    code = getattr(departement, "code", departement)
    if par is not None:
        _exiger_gestion(par, code)
    with transaction.atomic():
        ids = list(
            courriers_a_imprimer(code)
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[:TAILLE_MAX_TOURNEE]
        )
        if not ids:
            return None
        tournee = Tournee.objects.create(departement_id=code, creee_par=par, nombre=len(ids))
        Message.objects.filter(pk__in=ids).update(tournee=tournee)
        EvenementMessage.objects.bulk_create(
            _evenement(
                Message(pk=pk),
                Evenement.IMPRIME,
                source="gestionnaire" if par else "campagne",
                utilisateur=par,
                details={"tournee": tournee.pk},
            )
            for pk in ids
        )
        if par is not None:
            journaliser(
                EvenementAudit.Action.EXPORT,
                utilisateur=par,
                objet=tournee,
                resume=f"Tournée de {len(ids)} courriers préparée ({code})",
            )
    return tournee


def donnees_du_courrier(message: Message) -> dict:
    """What a letter prints, as when it was recorded: the attestation's data, or the
    letter's own."""
    if message.attestation_id:
        return message.attestation.donnees
    return message.donnees


def rendre_tournee(tournee_id: int) -> Tournee:
    """Render the print run's PDF (one file, letters in the order of the list), once."""
    tournee = Tournee.objects.get(pk=tournee_id)
    if tournee.fichier:
        return tournee
    courriers = list(tournee.courriers.select_related("attestation").order_by("cree_le", "pk"))
    pdf = documents.rendre_pdfs([donnees_du_courrier(m) for m in courriers])
    tournee.fichier.save(
        f"tournee-{tournee.departement_id}-{tournee.pk}-{tournee.creee_le:%Y%m%d}.pdf",
        ContentFile(pdf),
        save=False,
    )
    tournee.statut = Tournee.Statut.A_IMPRIMER
    tournee.save(update_fields=["fichier", "statut"])
    # A code télédemandeur is kept in clear only until its letter is printed (sne.portail).
    for message in courriers:
        if not message.attestation_id and documents.contient_un_secret(message.donnees):
            Message.objects.filter(pk=message.pk).update(
                donnees=documents.masquer_secrets(message.donnees)
            )
    return tournee


def marquer_tournee_postee(tournee: Tournee, par) -> int:
    """Record that the print run was posted: each letter gets its « posté » event with the date
    and the gestionnaire (the proof of the FAQ). A letter returned before (`signaler_retour`)
    stays as it is. Returns the number of letters marked."""
    _exiger_gestion(par, tournee.departement_id)
    maintenant = timezone.now()
    with transaction.atomic():
        tournee = Tournee.objects.select_for_update().get(pk=tournee.pk)
        if tournee.statut == Tournee.Statut.POSTEE:
            raise ErreurMetier("Cette tournée est déjà marquée comme postée.", code="deja_postee")
        if tournee.statut == Tournee.Statut.EN_PREPARATION:
            raise ErreurMetier(
                "Le PDF de cette tournée est encore en préparation : imprimez-le d'abord.",
                code="tournee_en_preparation",
            )
        ids = list(tournee.courriers.filter(statut=Statut.A_IMPRIMER).values_list("pk", flat=True))
        Message.objects.filter(pk__in=ids).update(statut=Statut.POSTE, envoye_le=maintenant)
        EvenementMessage.objects.bulk_create(
            _evenement(
                Message(pk=pk),
                Evenement.POSTE,
                source="gestionnaire",
                utilisateur=par,
                le=maintenant,
                details={"tournee": tournee.pk},
            )
            for pk in ids
        )
        tournee.statut, tournee.postee_le, tournee.postee_par = (
            Tournee.Statut.POSTEE,
            maintenant,
            par,
        )
        tournee.save(update_fields=["statut", "postee_le", "postee_par"])
        journaliser(
            EvenementAudit.Action.MODIFICATION,
            utilisateur=par,
            objet=tournee,
            resume=f"Tournée {tournee.pk} postée : {len(ids)} courriers",
        )
    return len(ids)


def signaler_retour(message: Message, par, *, motif: str = "") -> Message:
    """A letter came back (« pli non distribuable », NPAI): recorded with its date; the
    message is listed for the desk to correct the address."""
    _exiger_gestion(par, message.departement_id)
    if message.canal != Canal.COURRIER or message.statut not in (Statut.POSTE, Statut.A_IMPRIMER):
        raise ErreurMetier(
            "Seul un courrier imprimé ou posté peut revenir.", code="retour_impossible"
        )
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(
            statut=Statut.ECHEC, derniere_erreur=(motif or "Pli non distribuable")[:300]
        )
        _evenement(
            message,
            Evenement.RETOUR_COURRIER,
            source="gestionnaire",
            utilisateur=par,
            details={"motif": motif[:200]} if motif else {},
        ).save()
    message.refresh_from_db()
    return message


def annuler_avis_en_attente(demande_id: int) -> int:
    """The applicant renewed: the renewal notices not yet gone (a letter not printed, an
    e-mail still in the outbox) are cancelled, with their event. Returns how many."""
    ids = list(
        Message.objects.filter(
            demande_id=demande_id,
            type=Message.Type.PREAVIS_RENOUVELLEMENT,
            statut__in=Message.EN_ATTENTE,
            tournee__isnull=True,
        ).values_list("pk", flat=True)
    )
    if not ids:
        return 0
    with transaction.atomic():
        Message.objects.filter(pk__in=ids).update(statut=Statut.ANNULE, prochain_essai=None)
        EvenementMessage.objects.bulk_create(
            _evenement(
                Message(pk=pk),
                Evenement.ANNULE,
                source="renouvellement",
                details={"raison": "demande renouvelée"},
            )
            for pk in ids
        )
    return len(ids)


# --- What desks and gestionnaires see -------------------------------------------------------


def messages_de(demande: Demande) -> list[Message]:
    """The messages of a demande with their delivery events, newest first (the desk's proof)."""
    return list(
        Message.objects.filter(demande=demande)
        .select_related("tournee")
        .prefetch_related("evenements__utilisateur")
        .order_by("-cree_le", "-pk")
    )


def a_corriger(par, *, departement=None):
    """The messages that could not reach their applicant — no postal address, an e-mail the
    provider refused (bounce), a letter returned — for active demandes the person may see,
    newest first: the desk corrects the contact details (a demande changed since is left out
    when its message is older than the change)."""
    messages = (
        Message.objects.filter(statut=Statut.ECHEC, demande__statut=Demande.Statut.ACTIVE)
        .filter(demande__modifiee_le__lt=F("cree_le"))
        .filter(demande__in=Demande.objects.visibles_par(par).values("pk"))
        .select_related("demande")
        .order_by("-cree_le", "-pk")
    )
    if departement is not None:
        messages = messages.filter(departement=departement)
    return messages


def lire_a_corriger(messages, par) -> None:
    journaliser_lecture(
        [m.demande for m in messages],
        utilisateur=par,
        resume="Messages non distribués (coordonnées à corriger)",
    )


def chiffres_campagne(departements, debut: date, fin: date) -> list[dict]:
    """Per département and day: renewal notices recorded, e-mails delivered and bounced,
    letters awaiting printing or posting, radiations for non-renouvellement (the
    gestionnaires' dashboard)."""
    messages = Message.objects.filter(
        departement__in=departements, date_avis__gte=debut, date_avis__lte=fin
    )
    lignes = (
        messages.values("departement_id", "date_avis")
        .annotate(
            preavis=Count(
                "demande",
                filter=Q(type=Message.Type.PREAVIS_RENOUVELLEMENT),
                distinct=True,
            ),
            radiations=Count("demande", filter=Q(type=Message.Type.AVIS_RADIATION), distinct=True),
            remis=Count("pk", filter=Q(statut=Statut.REMIS)),
            envoyes=Count("pk", filter=Q(statut=Statut.ENVOYE)),
            echecs=Count("pk", filter=Q(statut=Statut.ECHEC)),
            courriers_en_attente=Count("pk", filter=Q(statut=Statut.A_IMPRIMER)),
            courriers_postes=Count("pk", filter=Q(statut=Statut.POSTE)),
        )
        .order_by("date_avis", "departement_id")
    )
    return list(lignes)


def reimprimer(message: Message, par) -> tuple[str, bytes]:
    """A message as sent, as a PDF: the letter rendered again from the data kept with it (the
    same layout), or the attestation's PDF; for an e-mail or an SMS, the letter its data make.
    Audited like a consultation of the demande."""
    if message.attestation_id and message.attestation.fichier:
        fichier = message.attestation.fichier
        fichier.open("rb")
        try:
            contenu = fichier.read()
        finally:
            fichier.close()
    else:
        # A reprint is a proof, not a new sending: a code or a link stays masked.
        contenu = documents.rendre_pdf(documents.masquer_secrets(donnees_du_courrier(message)))
    journaliser(
        EvenementAudit.Action.CONSULTATION,
        utilisateur=par,
        objet=message.demande,
        resume=f"{message.get_type_display()} de la demande {message.demande.numero_unique} "
        "réimprimé",
        details={"message": message.pk},
    )
    return f"{message.type}-{message.demande.numero_unique}-{message.pk}.pdf", contenu


def lire_courriers(courriers, par) -> None:
    """The letters page shows whose letters wait: each demande shown is in the audit journal
    (one query for the page)."""
    journaliser_lecture(
        [c.demande for c in courriers], utilisateur=par, resume="Courriers à imprimer"
    )
