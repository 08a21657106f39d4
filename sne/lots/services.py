"""Batch lots: a connected system sends many demandes at once as JSON Lines; the Huey worker
registers them line by line with the one registration service (API-CONTRACT « Batch lots »,
docs/adr/0016-lots.md).

- `recevoir_lot`: streams the body to a file (never whole in memory), counts its lines and
  keeps its SHA-256: the same content sent again by the same desk gives back the first lot;
- `traiter_lot`: registers the lines in chunks, each line in its own transaction with its
  `LigneLot`, under a lease so that one worker at a time works on a lot; a worker stopped
  anywhere leaves its lease to expire and `reprendre_lots_interrompus` starts the lot again at
  its first line without a result — no line twice, none lost;
- `resultats`, `lots_visibles_par`, `trouver_lot`: what the API and the pages read;
- `attestations_du_lot`: the lot's attestations in one PDF, audited like a read.
"""

import hashlib
import json
import logging
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core import exceptions as django_exceptions
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from pydantic import ValidationError

from sne.attestations.models import Attestation
from sne.attestations.services import pdf_groupe
from sne.audit.services import journaliser_lecture
from sne.comptes.droits import droits_de
from sne.demandes.regles import DonneesInvalides, SuspicionDoublon, exiger_saisie
from sne.demandes.schemas import DemandeEntree
from sne.demandes.services import enregistrer_demande
from sne.exceptions import ErreurMetier, Introuvable, erreurs_de_validation

from .models import LigneLot, Lot

logger = logging.getLogger(__name__)

TYPES_DE_CONTENU = ("application/x-ndjson", "application/jsonl")
TAILLE_BLOC = 64 * 1024  # read from the request and written to the file by blocks
TAILLE_PAQUET = 200  # lines registered between two progress updates (and lease renewals)
DUREE_BAIL = timedelta(minutes=2)  # a worker silent that long is taken for stopped
DUREE_TACHE_SECONDES = 30  # then the task hands over to the queue (other tasks run meanwhile)
ATTESTATIONS_PAR_PDF = 200  # WeasyPrint renders ~2 attestations/s: a PDF is made of parts
LIMITE_RESULTATS = 1000


class TypeDeContenuNonPrisEnCharge(ErreurMetier):
    statut_http = 415
    code = "type_de_contenu_non_accepte"


class LotTropVolumineux(ErreurMetier):
    statut_http = 413
    code = "corps_trop_volumineux"


class LotVide(ErreurMetier):
    statut_http = 422
    code = "lot_vide"


class LotEnCours(ErreurMetier):
    statut_http = 409
    code = "lot_en_cours"


class AttestationsEnPreparation(ErreurMetier):
    statut_http = 409
    code = "attestations_en_preparation"


def dossier_lots() -> Path:
    return Path(settings.SNE_DOSSIER_LOTS)


def exiger_type_de_contenu(type_de_contenu: str) -> None:
    if (type_de_contenu or "").split(";")[0].strip().lower() not in TYPES_DE_CONTENU:
        raise TypeDeContenuNonPrisEnCharge(
            "Un lot s'envoie au format JSON Lines, une demande par ligne, avec l'en-tête "
            "« Content-Type: application/x-ndjson » (ou application/jsonl)."
        )


def _trop_volumineux(taille_max: int) -> LotTropVolumineux:
    return LotTropVolumineux(
        f"Le lot dépasse {taille_max // 2**20} Mio : découpez-le en plusieurs lots."
    )


def ecrire_en_flux(flux, chemin, taille_max: int, *, au_bloc=None, trop_volumineux=None) -> int:
    """Copy the request body `flux` (`read(n)`) into the file `chemin` by blocks, never whole
    in memory, and return its size; beyond `taille_max` bytes, raise `trop_volumineux(taille_max)`
    (413, « découpez-le »). `au_bloc(bloc)` sees each block as it passes (a hash, a count).
    The caller erases the file if anything fails. Shared by the lots and the scanner's lots."""
    trop_volumineux = trop_volumineux or _trop_volumineux
    taille = 0
    with open(chemin, "wb") as fichier:
        while bloc := flux.read(TAILLE_BLOC):
            taille += len(bloc)
            if taille > taille_max:
                raise trop_volumineux(taille_max)
            if au_bloc is not None:
                au_bloc(bloc)
            fichier.write(bloc)
    return taille


def recevoir_lot(guichet, par, flux, *, taille_max: int, jeton=None) -> tuple[Lot, bool]:
    """Keep a lot sent by `par` (the desk's technical account) for `guichet` and queue its
    processing. `flux` is read by blocks (`read(n)`) into a file under `SNE_DOSSIER_LOTS`,
    never whole in memory; beyond `taille_max` bytes it is refused (413) and nothing is kept.

    Returns `(lot, True)` for a new lot, `(first_lot, False)` when the desk already sent
    exactly this content (the same SHA-256): a lot sent twice registers nothing twice. A first
    lot in `echec` (its file unreadable) is started again with this file: `(lot, True)`.
    A lot without any non-blank line is refused (422)."""
    exiger_saisie(par, guichet)
    dossier = dossier_lots()
    dossier.mkdir(parents=True, exist_ok=True)
    identifiant = uuid.uuid4()
    partiel = dossier / f"{identifiant}.part"
    empreinte, total = hashlib.sha256(), 0
    ligne_commencee = False  # the current line (across blocks) holds a non-blank character

    def compter(bloc: bytes) -> None:
        nonlocal total, ligne_commencee
        empreinte.update(bloc)
        *finies, debut = bloc.split(b"\n")
        for morceau in finies:
            total += ligne_commencee or bool(morceau.strip())
            ligne_commencee = False
        ligne_commencee = ligne_commencee or bool(debut.strip())

    try:
        taille = ecrire_en_flux(flux, partiel, taille_max, au_bloc=compter)
        total += ligne_commencee
        if total == 0:
            raise LotVide(
                "Le lot ne contient aucune ligne : envoyez une demande JSON par ligne.",
                code="lot_vide",
            )
    except BaseException:
        partiel.unlink(missing_ok=True)
        raise
    empreinte = empreinte.hexdigest()
    premier = Lot.objects.filter(guichet=guichet, empreinte=empreinte).first()
    if premier is not None and premier.statut == Lot.Statut.ECHEC:
        return _relancer(premier, partiel), True
    if premier is not None:
        partiel.unlink(missing_ok=True)
        return premier, False
    nom = f"{identifiant}.jsonl"
    os.replace(partiel, dossier / nom)
    bail = uuid.uuid4().hex  # the queued task's: the lot is not taken for interrupted meanwhile
    try:
        with transaction.atomic():
            lot = Lot.objects.create(
                id=identifiant,
                guichet=guichet,
                jeton=jeton,
                envoye_par=par,
                empreinte=empreinte,
                fichier=nom,
                taille=taille,
                total=total,
                bail_par=bail,
                bail_jusqu_au=timezone.now() + DUREE_BAIL,
            )
            transaction.on_commit(lambda: _lancer(lot.pk, bail))
    except IntegrityError:  # the same lot, sent twice at the same moment
        (dossier / nom).unlink(missing_ok=True)
        return Lot.objects.get(guichet=guichet, empreinte=empreinte), False
    return lot, True


def _relancer(lot: Lot, partiel: Path) -> Lot:
    """A lot whose file had become unreadable, sent again: the same lot takes the new file
    and starts again from its first line; the lines that already have a result keep it."""
    nom = f"{lot.pk}-{uuid.uuid4().hex[:8]}.jsonl"
    os.replace(partiel, dossier_lots() / nom)
    bail = uuid.uuid4().hex
    with transaction.atomic():
        Lot.objects.filter(pk=lot.pk).update(
            fichier=nom,
            statut=Lot.Statut.EN_ATTENTE,
            message="",
            termine_le=None,
            reprise_octet=0,
            reprise_ligne=0,
            bail_par=bail,
            bail_jusqu_au=timezone.now() + DUREE_BAIL,
        )
        transaction.on_commit(lambda: _lancer(lot.pk, bail))
    lot.refresh_from_db()
    return lot


def _lancer(lot_id, bail: str = "") -> None:
    from .tasks import traiter_lot_tache

    traiter_lot_tache(str(lot_id), bail)


# --- Processing --------------------------------------------------------------------------------


def _prendre_bail(lot_id, bail: str = "") -> str | None:
    """This worker, alone, works on the lot until `DUREE_BAIL` from now (renewed per chunk):
    returns the lease's token, or None when another worker holds the lot. A task queued again
    by the lease's holder (`bail`) takes it back before it expires; any other waits for that."""
    maintenant = timezone.now()
    libre = Q(bail_jusqu_au__isnull=True) | Q(bail_jusqu_au__lt=maintenant)
    if bail:
        libre |= Q(bail_par=bail)
    nouveau = bail or uuid.uuid4().hex
    pris = (
        Lot.objects.filter(pk=lot_id, statut__in=[Lot.Statut.EN_ATTENTE, Lot.Statut.EN_COURS])
        .filter(libre)
        .update(
            statut=Lot.Statut.EN_COURS,
            bail_par=nouveau,
            bail_jusqu_au=maintenant + DUREE_BAIL,
        )
    )
    return nouveau if pris else None


def _lignes(fichier, numero: int, longueur_max: int):
    """The non-blank lines from the file's position: `(numero, contenu or None when too long,
    position after the line)`. One line at a time is in memory, at most `longueur_max`."""
    while True:
        brut = fichier.readline(longueur_max + 1)
        if not brut:
            return
        numero += 1
        trop_longue = len(brut) > longueur_max
        vide = not brut.strip()
        if trop_longue:
            while brut and not brut.endswith(b"\n"):
                brut = fichier.readline(TAILLE_BLOC)
                vide = vide and not brut.strip()
        if vide:
            continue  # not counted at reception either: `total` is the non-blank lines
        yield numero, None if trop_longue else brut, fichier.tell()


def _refus(code: str, message: str, champ: str = "") -> list[dict]:
    return [{"champ": champ, "code": code, "message": message}]


def _lire(brut: bytes | None, longueur_max: int) -> tuple[DemandeEntree | None, str, list[dict]]:
    """A line as the registration's schema, its `reference_externe`, and the errors that stop
    it before any rule of the register is asked."""
    if brut is None:
        return (
            None,
            "",
            _refus(
                "ligne_trop_longue",
                f"La ligne dépasse {longueur_max // 1024} Kio : une demande est bien plus courte.",
            ),
        )
    if b"\x00" in brut or b"\\u0000" in brut:
        return (
            None,
            "",
            _refus(
                "caractere_nul", "La ligne contient un caractère nul, accepté dans aucun champ."
            ),
        )
    try:
        objet = json.loads(brut)
    except (UnicodeDecodeError, ValueError):
        return (
            None,
            "",
            _refus("json_invalide", "La ligne n'est pas un objet JSON valide (encodé en UTF-8)."),
        )
    if not isinstance(objet, dict):
        return None, "", _refus("json_invalide", "La ligne doit être un objet JSON : { … }.")
    reference = objet.get("reference_externe")
    reference = reference[:100] if isinstance(reference, str) else ""
    try:
        entree = DemandeEntree.model_validate(objet)
    except ValidationError as e:
        return None, reference, erreurs_de_validation(e.errors())
    if not entree.reference_externe.strip():
        return (
            None,
            "",
            _refus(
                "missing",
                "Ce champ est obligatoire : chaque ligne d'un lot porte la référence de la demande "
                "dans votre système.",
                champ="reference_externe",
            ),
        )
    return entree, entree.reference_externe, []


def _traiter_ligne(lot: Lot, agent, numero: int, brut: bytes | None, longueur_max: int) -> None:
    """One line, in its own transaction with its result: a registered line and its `LigneLot`
    are committed together (or neither), so a replay finds it done; the registration's `jeton`
    (one per line of the lot) makes sure, besides, that no line registers twice."""
    entree, reference, erreurs = _lire(brut, longueur_max)
    statut, doublons = LigneLot.Statut.REJETEE, []
    if entree is not None:
        try:
            with transaction.atomic():
                demande = enregistrer_demande(
                    lot.guichet, agent, entree, jeton=f"lot:{lot.pk}:{numero}"
                )
                LigneLot.objects.create(
                    lot=lot,
                    ligne=numero,
                    reference_externe=reference,
                    statut=LigneLot.Statut.ENREGISTREE,
                    numero_unique=demande.numero_unique,
                    demande=demande,
                )
            return
        except SuspicionDoublon as e:
            statut, doublons = LigneLot.Statut.SUSPICION_DOUBLON, e.details.get("doublons", [])
            erreurs = [e.en_erreur()]
        except DonneesInvalides as e:
            erreurs = e.details.get("erreurs") or [e.en_erreur()]
        except ErreurMetier as e:
            erreurs = [e.en_erreur()]
        except IntegrityError:
            if LigneLot.objects.filter(lot=lot, ligne=numero).exists():
                return  # another worker did this very line
            raise
        except DatabaseError:
            raise  # the database is gone: the lot resumes later, this line included
        except Exception:
            logger.exception("Ligne %s du lot %s : erreur inattendue", numero, lot.pk)
            erreurs = _refus(
                "erreur_interne",
                "Une erreur inattendue a empêché d'enregistrer cette ligne ; rien n'a été "
                "enregistré pour elle. Renvoyez-la dans un autre lot.",
            )
    try:
        with transaction.atomic():
            LigneLot.objects.create(
                lot=lot,
                ligne=numero,
                reference_externe=reference,
                statut=statut,
                erreurs=erreurs,
                doublons=doublons,
            )
    except IntegrityError:
        pass  # another worker recorded this line first


def nombre_de_fils() -> int:
    """Lines of a chunk registered side by side (`SNE_LOTS_FILS`, each with its own database
    connection): most of a registration is spent waiting for the database. One on SQLite,
    whose writers take turns anyway."""
    if connection.vendor != "postgresql":
        return 1
    return max(1, settings.SNE_LOTS_FILS)


def _traiter_lignes(lot: Lot, lignes: list, longueur_max: int) -> None:
    """The chunk's lines not yet done, each in its own transaction. Several threads share them
    out; the chunk is done when all are (an error in one stops the chunk: the lot resumes)."""
    fils = min(nombre_de_fils(), len(lignes))
    if fils <= 1:
        for numero, brut in lignes:
            _traiter_ligne(lot, lot.envoye_par, numero, brut, longueur_max)
        return

    def travailler(part):
        try:
            for numero, brut in part:
                _traiter_ligne(lot, lot.envoye_par, numero, brut, longueur_max)
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(fils, thread_name_prefix=f"lot-{lot.pk}") as groupe:
        for _ in groupe.map(travailler, [lignes[i::fils] for i in range(fils)]):
            pass  # re-raises the first error of a thread


def traiter_lot(lot_id, bail: str = "", *, paquets_max: int | None = None) -> str | None:
    """Register the lot's lines not yet done, by chunks of `TAILLE_PAQUET`, for at most
    `DUREE_TACHE_SECONDES`; returns the lease's token when lines remain (the task then queues
    itself again with it), else None. Does nothing if another worker holds the lot's lease.
    `paquets_max` stops after that many chunks, as a killed worker would (tests)."""
    bail = _prendre_bail(lot_id, bail)
    if bail is None:
        return None
    # The desk's départements read once for all the lines (`exiger_guichet_habilite`).
    lot = (
        Lot.objects.select_related("guichet", "envoye_par")
        .prefetch_related("guichet__departements")
        .get(pk=lot_id)
    )
    if lot.commence_le is None:
        Lot.objects.filter(pk=lot.pk).update(commence_le=timezone.now())
    longueur_max = settings.SNE_API_TAILLE_MAX_CORPS
    debut, paquets = time.monotonic(), 0
    try:
        fichier = open(dossier_lots() / lot.fichier, "rb")  # noqa: SIM115 (closed below)
    except OSError:
        logger.exception("Lot %s : fichier illisible", lot.pk)
        Lot.objects.filter(pk=lot.pk).update(
            statut=Lot.Statut.ECHEC,
            bail_jusqu_au=None,
            bail_par="",
            termine_le=timezone.now(),
            message="Le fichier du lot est illisible : renvoyez le lot.",
        )
        return None
    with fichier:
        fichier.seek(lot.reprise_octet)
        lignes = _lignes(fichier, lot.reprise_ligne, longueur_max)
        while True:
            paquet = list(islice(lignes, TAILLE_PAQUET))
            if not paquet:
                break
            faites = set(
                LigneLot.objects.filter(
                    lot=lot, ligne__gte=paquet[0][0], ligne__lte=paquet[-1][0]
                ).values_list("ligne", flat=True)
            )
            a_faire = [(numero, brut) for numero, brut, _ in paquet if numero not in faites]
            _traiter_lignes(lot, a_faire, longueur_max)
            numero, _, position = paquet[-1]
            Lot.objects.filter(pk=lot.pk).update(
                traites=LigneLot.objects.filter(lot=lot).count(),
                reprise_octet=position,
                reprise_ligne=numero,
                bail_jusqu_au=timezone.now() + DUREE_BAIL,
            )
            paquets += 1
            if paquets_max is not None and paquets >= paquets_max:
                return bail  # stopped as a killed worker would be: the lease stays
            if time.monotonic() - debut > DUREE_TACHE_SECONDES:
                return bail
    _terminer(lot)
    return None


def _terminer(lot: Lot) -> None:
    Lot.objects.filter(pk=lot.pk).update(
        statut=Lot.Statut.TERMINE,
        traites=LigneLot.objects.filter(lot=lot).count(),
        termine_le=timezone.now(),
        bail_jusqu_au=None,
        bail_par="",
    )
    # The demandes are in the register now: the file (personal data) is not kept.
    (dossier_lots() / lot.fichier).unlink(missing_ok=True)


def reprendre_lots_interrompus() -> list:
    """The lots whose worker stopped (lease expired) or that never started: queued again."""
    identifiants = list(Lot.objects.a_reprendre().values_list("pk", flat=True))
    for identifiant in identifiants:
        _lancer(identifiant)
    return identifiants


# --- Reading -----------------------------------------------------------------------------------


def lots_visibles_par(utilisateur):
    """The lots of the desks the person consults for, most recent first."""
    return Lot.objects.filter(
        guichet_id__in=droits_de(utilisateur).guichets_consultation
    ).select_related("guichet")


def trouver_lot(lot_id, utilisateur) -> Lot:
    """A lot of a desk the person consults for; another desk's lot does not exist for them."""
    try:
        return lots_visibles_par(utilisateur).get(pk=lot_id)
    except (Lot.DoesNotExist, ValueError, django_exceptions.ValidationError):
        raise Introuvable("Ce lot n'existe pas ou n'est pas celui de votre guichet.") from None


def resultats(lot: Lot, *, apres_ligne: int = 0, limite: int = 100, statut: str = ""):
    """The results of the lot's lines after `apres_ligne`, in line order, at most `limite`
    (≤ `LIMITE_RESULTATS`); with the last line given when more follow (the next page's
    `apres_ligne`), else None."""
    limite = max(1, min(limite, LIMITE_RESULTATS))
    lignes = lot.lignes.filter(ligne__gt=apres_ligne)
    if statut:
        lignes = lignes.filter(statut=statut)
    lignes = list(lignes.order_by("ligne")[: limite + 1])
    suite = lignes[limite - 1].ligne if len(lignes) > limite else None
    return lignes[:limite], suite


def compter_par_statut(lot: Lot) -> dict[str, int]:
    comptes = dict(lot.lignes.values_list("statut").annotate(n=Count("pk")).order_by())
    return {s: comptes.get(s, 0) for s in LigneLot.Statut.values}


def attestations_du_lot(lot: Lot, par, *, apres_ligne: int = 0) -> tuple[bytes, int | None]:
    """The attestations d'enregistrement of the lot's registered demandes, in line order, in
    one PDF of at most `ATTESTATIONS_PAR_PDF`; with the last line it covers when more remain
    (to ask for the next part with `apres_ligne`), else None. Written to the audit log as a
    reading of each demande. Refused while the lot is processed (409 `lot_en_cours`) and while
    an attestation is still being produced (409 `attestations_en_preparation`)."""
    if not lot.est_fini:
        raise LotEnCours(
            f"Le lot est {lot.get_statut_display().lower()} ({lot.traites} lignes traitées sur "
            f"{lot.total}) : ses attestations seront disponibles quand il sera terminé."
        )
    lignes = list(
        lot.lignes.filter(
            statut=LigneLot.Statut.ENREGISTREE, demande__isnull=False, ligne__gt=apres_ligne
        )
        .select_related("demande")
        .order_by("ligne")[: ATTESTATIONS_PAR_PDF + 1]
    )
    suite = lignes[ATTESTATIONS_PAR_PDF - 1].ligne if len(lignes) > ATTESTATIONS_PAR_PDF else None
    lignes = lignes[:ATTESTATIONS_PAR_PDF]
    if not lignes:
        raise Introuvable("Aucune demande de ce lot n'a été enregistrée : aucune attestation.")
    demandes = {ligne.demande_id: ligne.demande for ligne in lignes}
    attestations = {}
    for attestation in Attestation.objects.filter(
        demande_id__in=demandes, type=Attestation.Type.ENREGISTREMENT
    ).order_by("creee_le", "pk"):
        attestations.setdefault(attestation.demande_id, attestation)
    manquantes = len(demandes) - len(attestations)
    if manquantes:
        raise AttestationsEnPreparation(
            f"{manquantes} attestation(s) de ce lot sont encore en préparation : réessayez "
            "dans quelques minutes."
        )
    contenu = pdf_groupe([attestations[d] for d in demandes])
    journaliser_lecture(
        list(demandes.values()),
        utilisateur=par,
        guichet=lot.guichet,
        resume=f"Attestations du lot {lot.pk} (PDF)",
    )
    return contenu, suite
