"""Applying online (issue 13, « demande en ligne »): the applicant's draft, from the e-mail
address that opens it to the registration of the demande.

- The address is proved first: the applicant receives a link (single use, it expires after
  `SNE_PORTAIL_VALIDITE_LIEN_HEURES`) that opens the draft in the portal's session. Asking for
  a new link never tells whether a draft exists for an address. Rate-limited per address and
  per IP address (`Tentative` of type `demande_en_ligne`).
- The identity document is uploaded before registration (CCH R441-2-3 and FAQ « Dossier
  unique »: no numéro unique without it). It is checked as every pièce is
  (`sne.pieces.controles.examiner`: content, size, pages, scripts; images normalised) and by the
  antivirus as soon as it arrives, kept with the draft (never at a public address), then
  becomes the first pièce of the dossier unique when the demande is registered
  (`sne.pieces.services.deposer_piece`, origin « portail »).
- The demande is registered by the desks' own service, `enregistrer_demande`, with the
  portal's desk and the applicant as the actor (`commun.le_demandeur`): the same checks, the
  same duplicate search. A suspicion of duplicate sends the applicant to a desk, showing
  nothing of the other demande. A registration on the portal counts for the channel rule of
  CCH R441-2-7 (`Demande.demarches_en_ligne`, sne/notifications).
- A draft untouched for `SNE_PORTAIL_PURGE_BROUILLON_JOURS` days is deleted, with its file,
  after a notice sent `SNE_PORTAIL_PREAVIS_PURGE_JOURS` days before (personal data are kept no
  longer than needed, RGPD art. 5-1-e).
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from sne.comptes.droits import DemandeurEnLigne
from sne.demandes import services as demandes
from sne.demandes.schemas import DemandeEntree
from sne.exceptions import ErreurMetier
from sne.organisations.models import Guichet
from sne.pieces import antivirus
from sne.pieces.controles import PieceRefusee, examiner, exiger_taille
from sne.pieces.nomenclatures import OriginePiece, TypePiece
from sne.pieces.services import deposer_piece, lire_fichier_envoye

from .commun import le_demandeur, noter_tentative, purger_tentatives, trop_de_tentatives
from .models import AdresseVerifiee, DemandeEnLigne, Tentative

TYPE_TENTATIVE = Tentative.Type.DEMANDE_EN_LIGNE


class LienInvalide(ErreurMetier):
    code = "lien_invalide"


def _hacher(jeton: str) -> str:
    return hashlib.sha256(jeton.encode()).hexdigest()


def normaliser_email(email: str) -> str:
    return (email or "").strip().lower()


def trop_de_liens(email: str, cle_ip: str) -> bool:
    return trop_de_tentatives(TYPE_TENTATIVE, f"email:{normaliser_email(email)}", cle_ip)


# --- The link that proves the address ------------------------------------------------------


def _envoyer_lien(brouillon: DemandeEnLigne) -> None:
    """A new link for this draft (the previous one stops working), sent after commit."""
    jeton = secrets.token_urlsafe(32)
    brouillon.jeton_hache = _hacher(jeton)
    brouillon.jeton_expire_le = timezone.now() + timedelta(
        hours=settings.SNE_PORTAIL_VALIDITE_LIEN_HEURES
    )
    DemandeEnLigne.objects.filter(pk=brouillon.pk).update(
        jeton_hache=brouillon.jeton_hache, jeton_expire_le=brouillon.jeton_expire_le
    )
    # Links come from the configured site address, never from the request's Host.
    lien = settings.SNE_URL_SITE + reverse("portail:demande_en_ligne_ouvrir", args=[jeton])
    heures = settings.SNE_PORTAIL_VALIDITE_LIEN_HEURES
    corps = (
        "Bonjour,\n\n"
        "Vous avez demandé à faire votre demande de logement social en ligne.\n"
        "Pour ouvrir votre demande, cliquez sur ce lien :\n\n"
        f"{lien}\n\n"
        f"Ce lien sert une seule fois. Il est valable {heures} heures.\n"
        "Plus tard, pour revenir à votre demande, demandez un nouveau lien sur la page "
        "« Reprendre ma demande en ligne ».\n\n"
        "Si vous n'êtes pas à l'origine de ce message, ignorez-le : rien ne sera fait sans "
        "vous.\n"
    )
    destinataire = brouillon.email
    transaction.on_commit(
        lambda: send_mail(
            "Votre demande de logement social en ligne : votre lien",
            corps,
            settings.DEFAULT_FROM_EMAIL,
            [destinataire],
        )
    )


@transaction.atomic
def commencer(email: str, cle_ip: str) -> None:
    """Start applying online with this address: its draft in progress if there is one, else a
    new one; the link that opens it is sent to the address. Raises `ErreurMetier` when too many
    links were asked for this address or from this IP address within the hour."""
    email = normaliser_email(email)
    _exiger_sous_la_limite(email, cle_ip)
    brouillon = (
        DemandeEnLigne.objects.filter(email=email, statut=DemandeEnLigne.Statut.BROUILLON)
        .order_by("-modifie_le")
        .first()
    )
    if brouillon is None:
        brouillon = DemandeEnLigne.objects.create(email=email, donnees={})
    _envoyer_lien(brouillon)


@transaction.atomic
def reprendre(email: str, cle_ip: str) -> None:
    """« Reprendre ma demande en ligne »: a new link to the address's latest online
    application, whatever its state (a registered one shows its numéro unique); nothing when
    there is none. The caller says the same either way: nothing tells whether an address has a
    draft."""
    email = normaliser_email(email)
    _exiger_sous_la_limite(email, cle_ip)
    brouillon = DemandeEnLigne.objects.filter(email=email).order_by("-modifie_le").first()
    if brouillon is not None:
        _envoyer_lien(brouillon)


def _exiger_sous_la_limite(email: str, cle_ip: str) -> None:
    if trop_de_liens(email, cle_ip):
        raise ErreurMetier(
            "Vous avez demandé beaucoup de liens en peu de temps. Attendez une heure, puis "
            "réessayez.",
            code="trop_de_tentatives",
        )
    # Every link asked for counts towards the limit (a success would not stop a flood).
    noter_tentative(TYPE_TENTATIVE, f"email:{email}", cle_ip)


@transaction.atomic
def ouvrir_par_lien(jeton: str) -> DemandeEnLigne:
    """The draft this link opens; the link is spent (single use) and the address is proved.
    Raises `LienInvalide` for a link unknown, already used, replaced by a newer one or
    expired."""
    hache = _hacher(jeton or "")
    brouillon = (
        DemandeEnLigne.objects.select_for_update().filter(jeton_hache=hache).first()
        if jeton
        else None
    )
    if brouillon is None:
        raise LienInvalide(
            "Ce lien ne fonctionne plus : il a déjà servi, ou un lien plus récent l'a "
            "remplacé. Demandez un nouveau lien : votre saisie est gardée."
        )
    maintenant = timezone.now()
    if brouillon.jeton_expire_le is None or brouillon.jeton_expire_le < maintenant:
        raise LienInvalide(
            "Ce lien a expiré. Demandez un nouveau lien : votre saisie est gardée.",
            code="lien_expire",
        )
    brouillon.jeton_hache = ""
    brouillon.jeton_expire_le = None
    brouillon.email_verifie_le = brouillon.email_verifie_le or maintenant
    brouillon.avertie_purge_le = None
    brouillon.save()
    return brouillon


# --- The draft -----------------------------------------------------------------------------


def sauver_brouillon(brouillon: DemandeEnLigne, etape: str) -> None:
    """Save what was typed (`donnees`) and the step reached. Any change puts off the purge."""
    if brouillon.statut != DemandeEnLigne.Statut.BROUILLON:
        raise ErreurMetier(
            "Cette demande en ligne a déjà été envoyée : elle ne se modifie plus ici.",
            code="demande_en_ligne_envoyee",
        )
    brouillon.etape = etape
    brouillon.avertie_purge_le = None
    brouillon.save(update_fields=["donnees", "etape", "avertie_purge_le", "modifie_le"])


@transaction.atomic
def deposer_piece_identite(brouillon: DemandeEnLigne, fichier) -> None:
    """Keep the identity document of the draft (replacing a previous one): checked as every
    pièce (`examiner`), analysed by the antivirus at once (a virus is refused here; an
    antivirus that does not answer leaves the analysis to the registration), stored under a
    random name — never the name the browser sent."""
    if brouillon.statut != DemandeEnLigne.Statut.BROUILLON:
        raise ErreurMetier(
            "Cette demande en ligne a déjà été envoyée : elle ne se modifie plus ici.",
            code="demande_en_ligne_envoyee",
        )
    nom = (getattr(fichier, "name", "") or "")[-200:]
    try:
        exiger_taille(fichier.size or 0)  # refused before reading
        examine = examiner(lire_fichier_envoye(fichier, settings.SNE_PIECES_TAILLE_MAX), nom)
    except PieceRefusee as e:
        e.champ = "fichier"
        raise
    if antivirus.analyser(examine.contenu).verdict is antivirus.Verdict.INFECTE:
        raise PieceRefusee(
            "L'antivirus a détecté un virus dans ce fichier : il n'a pas été gardé. Envoyez une "
            "autre photo ou un autre scan de votre pièce d'identité.",
            code="virus",
            champ="fichier",
        )
    ancien = brouillon.piece_identite.name if brouillon.piece_identite else ""
    brouillon.piece_identite.save(
        f"{secrets.token_hex(16)}.{examine.extension}", ContentFile(examine.contenu), save=False
    )
    brouillon.piece_identite_type_contenu = examine.type_contenu
    brouillon.piece_identite_nom = nom
    brouillon.etape = "piece"
    brouillon.avertie_purge_le = None
    brouillon.save()
    if ancien:
        stockage = brouillon.piece_identite.storage
        transaction.on_commit(lambda: stockage.delete(ancien))


def _verser_au_dossier(brouillon: DemandeEnLigne, demande, guichet) -> None:
    """The draft's identity document becomes the demande's first pièce (dossier unique), with
    the applicant as its sender; the draft's copy is erased once committed. (Already done
    when the draft was sent before, from another tab: nothing to add.)"""
    if not brouillon.piece_identite:
        return
    with brouillon.piece_identite.open("rb") as f:
        contenu = f.read()
    deposer_piece(
        demande,
        contenu,
        type=TypePiece.IDENTITE,
        par=DemandeurEnLigne(guichet_id=guichet.pk, demande_id=demande.pk),
        guichet=guichet,
        origine=OriginePiece.PORTAIL,
        personne=demande.demandeur,
        nom=brouillon.piece_identite_nom,
    )
    ancien, stockage = brouillon.piece_identite.name, brouillon.piece_identite.storage
    brouillon.piece_identite = ""
    transaction.on_commit(lambda: stockage.delete(ancien))


# --- Registration --------------------------------------------------------------------------


def envoyer_demande(brouillon: DemandeEnLigne, entree: DemandeEntree):
    """Register the demande typed online (CCH L441-2-1, R441-2-1 to R441-2-4): the desks'
    service, on the portal's desk, with the applicant as the actor and the draft's id as the
    submission token (a double submit gives one demande). The identity document must be
    there first (S10).

    On success, in the same transaction: the demande is marked as registered on the portal
    (`demarches_en_ligne`, the channel rule of CCH R441-2-7), the proved address recorded
    (`AdresseVerifiee`), the draft linked to its demande. A suspicion of duplicate
    (`SuspicionDoublon`, re-raised) leaves the draft « à voir avec un guichet »: the applicant
    is not allowed to force the registration, a desk decides.
    """
    if brouillon.statut == DemandeEnLigne.Statut.ENREGISTREE:
        return brouillon.demande
    if not brouillon.piece_identite:
        raise ErreurMetier(
            "Ajoutez d'abord votre pièce d'identité : sans elle, la demande ne peut pas être "
            "enregistrée.",
            code="piece_identite_manquante",
        )
    try:
        with transaction.atomic():
            brouillon = DemandeEnLigne.objects.select_for_update().get(pk=brouillon.pk)
            if brouillon.statut == DemandeEnLigne.Statut.ENREGISTREE:
                return brouillon.demande
            agent, guichet = le_demandeur(None, entree.departement)
            demande = demandes.enregistrer_demande(
                guichet, agent, entree, jeton=str(brouillon.uuid)
            )
            type(demande).objects.filter(pk=demande.pk).update(demarches_en_ligne=True)
            demande.demarches_en_ligne = True
            AdresseVerifiee.objects.update_or_create(
                demande=demande,
                defaults={
                    "email": brouillon.email,
                    "verifiee_le": brouillon.email_verifie_le or timezone.now(),
                },
            )
            _verser_au_dossier(brouillon, demande, guichet)
            brouillon.statut = DemandeEnLigne.Statut.ENREGISTREE
            brouillon.demande = demande
            brouillon.etape = "enregistree"
            brouillon.save()
            return demande
    except demandes.SuspicionDoublon:
        DemandeEnLigne.objects.filter(pk=brouillon.pk).update(
            statut=DemandeEnLigne.Statut.A_VOIR_AU_GUICHET, modifie_le=timezone.now()
        )
        raise


def guichets_a_contacter(code_departement: str) -> list[Guichet]:
    """The desks that register demandes in the département, with their contact points (the
    portal's own desk aside): where an applicant whose demande may already exist goes."""
    return list(
        Guichet.objects.filter(departements=code_departement, actif=True)
        .exclude(code=settings.SNE_GUICHET_PORTAIL)
        .prefetch_related("contacts__commune")
        .order_by("nom")
        .distinct()
    )


# --- Purge of abandoned drafts -------------------------------------------------------------


def _fin_de_conservation(brouillon: DemandeEnLigne):
    return brouillon.modifie_le + timedelta(days=settings.SNE_PORTAIL_PURGE_BROUILLON_JOURS)


def purger_brouillons() -> dict:
    """Drafts never sent (brouillon, or waiting for a desk) untouched for
    `SNE_PORTAIL_PURGE_BROUILLON_JOURS` days are deleted with their file; their applicant was
    told `SNE_PORTAIL_PREAVIS_PURGE_JOURS` days before by e-mail (`avertie_purge_le`), and a
    change since puts it off. A draft whose address was never proved (its link never opened:
    nothing typed) is deleted without notice. Attempts older than a day go too."""
    maintenant = timezone.now()
    purge = timedelta(days=settings.SNE_PORTAIL_PURGE_BROUILLON_JOURS)
    preavis = timedelta(days=settings.SNE_PORTAIL_PREAVIS_PURGE_JOURS)
    non_envoyes = DemandeEnLigne.objects.exclude(statut=DemandeEnLigne.Statut.ENREGISTREE)

    supprimes = 0
    a_supprimer = non_envoyes.filter(
        # A proved address only once told, at least the notice's delay before.
        Q(email_verifie_le__isnull=True) | Q(avertie_purge_le__lte=maintenant - preavis),
        modifie_le__lt=maintenant - purge,
    )
    for brouillon in a_supprimer:
        fichier = brouillon.piece_identite.name if brouillon.piece_identite else ""
        stockage = brouillon.piece_identite.storage
        brouillon.delete()
        if fichier:
            transaction.on_commit(lambda f=fichier, s=stockage: s.delete(f))
        supprimes += 1

    avertis = 0
    a_avertir = non_envoyes.filter(
        email_verifie_le__isnull=False,
        avertie_purge_le__isnull=True,
        modifie_le__lt=maintenant - (purge - preavis),
    )
    for brouillon in a_avertir:
        _avertir_de_la_purge(brouillon, maintenant + preavis)
        # update(): the notice is not a change of the applicant's (`modifie_le` stays).
        DemandeEnLigne.objects.filter(pk=brouillon.pk).update(avertie_purge_le=maintenant)
        avertis += 1
    return {"avertis": avertis, "supprimes": supprimes, "tentatives": purger_tentatives()}


def _avertir_de_la_purge(brouillon: DemandeEnLigne, le) -> None:
    lien = settings.SNE_URL_SITE + reverse("portail:demande_en_ligne_reprendre")
    corps = (
        "Bonjour,\n\n"
        "Vous avez commencé une demande de logement social en ligne, mais vous ne l'avez pas "
        "envoyée.\n"
        f"Sans nouvelle de votre part, elle sera supprimée à partir du "
        f"{timezone.localtime(le):%d/%m/%Y}, avec la pièce d'identité envoyée.\n\n"
        f"Pour la garder, reprenez-la ici : {lien}\n\n"
        "Si vous ne souhaitez plus faire cette demande, vous n'avez rien à faire.\n"
    )
    destinataire = brouillon.email
    transaction.on_commit(
        lambda: send_mail(
            "Votre demande de logement social en ligne va être supprimée",
            corps,
            settings.DEFAULT_FROM_EMAIL,
            [destinataire],
        )
    )
