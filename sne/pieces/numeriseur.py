"""The industrial scanner's lots (FAQ « Dossier unique - Numériseur industriel », docs/api.md
« Numériseur industriel »): a desk's system sends a ZIP of scanned pièces with a manifest
`manifeste.csv`; each pièce is checked on its own and attached by the one service
`services.deposer_piece`, with the rights of the desk's technical account.

« Dans le cas d'un envoi de plusieurs pièces au numériseur industriel, que se passe-t-il si une
pièce est défectueuse ? Seule la pièce « défectueuse » sera rejetée. Le numériseur industriel en
informera le guichet via un mail de notification. » So:

- `recevoir_lot_numeriseur` streams the body to a file under a limit, then reads the ZIP's
  directory and its manifest only. The lot as a whole is refused (nothing kept) in three cases
  alone: the ZIP cannot be read or holds far more members than a lot may have pièces (checked
  from its end record, before its directory is read), the manifest is missing or unreadable
  (no header, unknown columns, too large), or it lists more than `SNE_NUMERISEUR_PIECES_MAX`
  pièces. Each line of
  the manifest becomes a `LigneNumeriseur`; a line that cannot be read (not UTF-8, wrong
  number of columns, unknown type) is rejected at once, the others wait for the worker.
- `traiter_lot_numeriseur` (Huey) takes each waiting line in its own transaction: the
  demande and the rights (unknown numéro and numéro out of the desk's rights get the same
  reason, `numero_inconnu`: nothing is revealed), the member of the ZIP read in memory under
  a limit (never extracted to disk by its name), the content check, the antivirus, the
  dossier. A bad line is rejected with its reason; the lot goes on.
- Once done, `prevenir_des_rejets` e-mails each desk concerned the list of its rejected
  pièces (the demande's registering desk; the sender for an unknown numéro or an unreadable
  line): one e-mail per desk and per lot, with the numéro unique, the type and the reason
  only — no name, no file name. Each line notified is marked (`prevenu_le`): the task
  replayed after a failure does not e-mail a desk twice.
"""

import csv
import io
import logging
import os
import re
import stat
import uuid
import zipfile
import zlib
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from sne.demandes import numero as numeros
from sne.demandes.models import Demande, Personne
from sne.demandes.regles import exiger_saisie, exiger_saisie_sur
from sne.exceptions import ErreurMetier, Introuvable, NonAutorise
from sne.lots.services import ecrire_en_flux

from . import services
from .controles import examiner
from .models_numeriseur import LigneNumeriseur, LotNumeriseur
from .nomenclatures import OriginePiece, TypePiece

logger = logging.getLogger(__name__)

TYPES_DE_CONTENU = ("application/zip", "application/x-zip-compressed")
MANIFESTE = "manifeste.csv"
COLONNES_OBLIGATOIRES = ("numero_unique", "type", "fichier")
COLONNES_FACULTATIVES = ("personne",)
# The pièce concerns the whole household when `personne` is empty; otherwise the demandeur or
# the co-demandeur (each unique in a household). A child's pièce is filed for the household.
PERSONNES = {
    "": None,
    "demandeur": Personne.Role.DEMANDEUR,
    "co_demandeur": Personne.Role.CO_DEMANDEUR,
}
MANIFESTE_TAILLE_MAX = 10 * 1024 * 1024  # ~5,000 lines of 2 Kio at the very most
# A scanned page hardly compresses (JPEG inside): a member that grows more than this ratio
# when inflated, beyond a megabyte, is taken for a decompression bomb.
RATIO_MAX = 100
RATIO_SEUIL = 1024 * 1024
# Folders and the manifest beside the pièces; an entry of the ZIP's central directory takes
# 46 bytes, its name (255 at most here) and its extra fields.
MARGE_ENTREES = 1000
OCTETS_PAR_ENTREE = 1024
REPRISE_APRES = timedelta(hours=1)
FIN_DE_LOT = "Traité : chaque pièce a son résultat."

RAISONS = {
    # What the e-mail says for each reason (no file name, nothing personal).
    "numero_inconnu": "numéro unique inconnu ou demande hors des droits du guichet",
    "ligne_invalide": "ligne du manifeste mal formée",
    "fichier_absent": "fichier absent du ZIP",
    "nom_de_fichier_interdit": "nom de fichier interdit dans le ZIP",
    "fichier_en_double": "nom de fichier présent plusieurs fois dans le ZIP",
    "archive_suspecte": "fichier anormalement compressé (bombe de décompression)",
    "fichier_vide": "fichier vide",
    "fichier_trop_gros": "fichier trop volumineux",
    "type_non_accepte": "ni un PDF, ni une image JPEG ou PNG",
    "fichier_illisible": "fichier illisible",
    "pdf_protege": "PDF protégé par un mot de passe",
    "pdf_actif": "PDF contenant un programme ou des fichiers joints",
    "trop_de_pages": "trop de pages",
    "image_trop_grande": "image démesurée",
    "virus": "virus détecté par l'antivirus",
    "piece_deja_deposee": "pièce déjà au dossier",
    "personne_absente": "personne absente du ménage",
    "demande_radiee": "demande radiée",
}


class LotNumeriseurRefuse(ErreurMetier):
    """The lot as a whole cannot be read: nothing is kept."""

    statut_http = 422
    code = "lot_numeriseur_refuse"


class LotNumeriseurTropVolumineux(ErreurMetier):
    statut_http = 413
    code = "corps_trop_volumineux"


class TypeDeContenuNonAccepte(ErreurMetier):
    statut_http = 415
    code = "type_de_contenu_non_accepte"


class LigneRejetee(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def pieces_max() -> int:
    return getattr(settings, "SNE_NUMERISEUR_PIECES_MAX", 5000)


def dossier() -> Path:
    return Path(settings.SNE_DOSSIER_LOTS) / "numeriseur"


def exiger_type_de_contenu(type_de_contenu: str) -> None:
    if (type_de_contenu or "").split(";")[0].strip().lower() not in TYPES_DE_CONTENU:
        raise TypeDeContenuNonAccepte(
            "Un lot du numériseur s'envoie en un fichier ZIP, corps brut de la requête, avec "
            "l'en-tête « Content-Type: application/zip » (reçu : "
            f"« {(type_de_contenu or 'aucun')[:80]} »)."
        )


# --- Reception ---------------------------------------------------------------------------------


def recevoir_lot_numeriseur(guichet, par, flux, *, taille_max: int) -> LotNumeriseur:
    """Keep a ZIP sent by `par` (the desk's technical account) for `guichet`, read its
    manifest and queue its processing. `flux` is read by blocks into a file, never whole in
    memory; beyond `taille_max` bytes it is refused (413) and nothing is kept."""
    exiger_saisie(par, guichet)
    dossier().mkdir(parents=True, exist_ok=True)
    identifiant = uuid.uuid4()
    partiel = dossier() / f"{identifiant}.part"
    try:
        taille = ecrire_en_flux(flux, partiel, taille_max, trop_volumineux=_trop_volumineux)
        lignes = lire_manifeste(partiel)
        nom = f"{identifiant}.zip"
        maintenant = timezone.now()
        os.replace(partiel, dossier() / nom)
        partiel = dossier() / nom  # erased below if the lot cannot be written
        with transaction.atomic():
            lot = LotNumeriseur.objects.create(
                id=identifiant,
                guichet=guichet,
                compte=par,
                fichier=nom,
                taille=taille,
                total=len(lignes),
                rejetees=sum(1 for ligne in lignes if ligne.code),
            )
            for ligne in lignes:
                ligne.lot = lot
                if ligne.code:
                    ligne.resultat = LigneNumeriseur.Resultat.REJETEE
                    ligne.traitee_le = maintenant
            LigneNumeriseur.objects.bulk_create(lignes, batch_size=1000)
            transaction.on_commit(lambda: _lancer(lot.pk))
    except BaseException:
        partiel.unlink(missing_ok=True)
        raise
    return lot


def _trop_volumineux(taille_max: int) -> LotNumeriseurTropVolumineux:
    return LotNumeriseurTropVolumineux(
        f"Le lot dépasse {taille_max // 2**20} Mio : découpez-le en plusieurs lots."
    )


def _lancer(lot_id) -> None:
    from .tasks import traiter_lot_numeriseur_tache

    traiter_lot_numeriseur_tache(str(lot_id))


def _refus(message: str, code: str) -> LotNumeriseurRefuse:
    return LotNumeriseurRefuse(message, code=code)


def entrees_max() -> int:
    """The members a lot's ZIP may hold: its pièces, the manifest, and folders."""
    return pieces_max() + MARGE_ENTREES


def _exiger_peu_d_entrees(chemin: Path) -> None:
    """Refuse a ZIP with too many members from its end record alone, before `ZipFile` reads
    its whole central directory into memory (one object per member: millions of empty members
    fit in a lot's size). The count announced is checked, and the directory's size too, since
    `ZipFile` reads the directory by its size, whatever the count says."""
    with open(chemin, "rb") as fichier:
        fin = zipfile._EndRecData(fichier)  # the standard library's own reader of that record
    if fin is None:
        return  # no end record: `ZipFile` refuses it as unreadable
    entrees, taille = fin[zipfile._ECD_ENTRIES_TOTAL], fin[zipfile._ECD_SIZE]
    if entrees > entrees_max() or taille > entrees_max() * OCTETS_PAR_ENTREE:
        raise _refus(
            f"Le ZIP contient trop de fichiers : un lot compte au plus {pieces_max()} pièces "
            "et son manifeste. Découpez-le en plusieurs lots.",
            "trop_de_fichiers",
        )


def _ouvrir(chemin: Path) -> zipfile.ZipFile:
    try:
        _exiger_peu_d_entrees(chemin)
        archive = zipfile.ZipFile(chemin)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
        raise _refus(
            "Le corps de la requête n'est pas un fichier ZIP lisible : envoyez l'archive produite "
            "par le numériseur, sans la modifier.",
            "zip_illisible",
        ) from e
    if len(archive.infolist()) > entrees_max():
        archive.close()
        raise _refus(
            f"Le ZIP contient {len(archive.infolist())} fichiers : un lot compte au plus "
            f"{pieces_max()} pièces et son manifeste. Découpez-le en plusieurs lots.",
            "trop_de_fichiers",
        )
    return archive


def lire_manifeste(chemin: Path) -> list[LigneNumeriseur]:
    """The lines of the ZIP's manifest, unsaved; a line that cannot be read already carries
    its rejection (`code`, `message`). Raises `LotNumeriseurRefuse` when the lot as a whole
    cannot be read."""
    with _ouvrir(chemin) as archive:
        infos = [i for i in archive.infolist() if _nom(i.filename).lower() == MANIFESTE]
        if not infos:
            raise _refus(
                f"Le ZIP ne contient pas de manifeste « {MANIFESTE} » (à la racine) : il dit, "
                "une ligne par pièce, le numéro unique, le type et le nom du fichier.",
                "manifeste_absent",
            )
        if len(infos) > 1:
            raise _refus(
                f"Le ZIP contient plusieurs manifestes « {MANIFESTE} » : gardez-en un seul.",
                "manifeste_en_double",
            )
        info = infos[0]
        if info.file_size > MANIFESTE_TAILLE_MAX:
            raise _trop_de_lignes_ou_trop_gros()
        try:
            with archive.open(info) as membre:
                brut = membre.read(MANIFESTE_TAILLE_MAX + 1)
        except (
            zipfile.BadZipFile,
            OSError,
            ValueError,
            EOFError,
            NotImplementedError,
            zlib.error,
        ) as e:
            raise _refus(
                "Le manifeste ne peut pas être lu dans le ZIP (archive abîmée ou protégée par un "
                "mot de passe).",
                "manifeste_illisible",
            ) from e
    if len(brut) > MANIFESTE_TAILLE_MAX:
        raise _trop_de_lignes_ou_trop_gros()
    if brut.startswith(b"\xef\xbb\xbf"):
        brut = brut[3:]  # a byte order mark, as spreadsheets write
    # Counted before anything is kept: millions of tiny lines fit in 10 Mio, and a list of
    # them would take hundreds of megabytes.
    pieces = sum(1 for ligne in io.BytesIO(brut) if ligne.strip()) - 1
    if pieces > pieces_max():
        raise _refus(
            f"Le manifeste liste {pieces} pièces : un lot en compte au plus "
            f"{pieces_max()}. Découpez-le en plusieurs lots.",
            "trop_de_pieces",
        )
    physiques = brut.split(b"\n")
    non_vides = [(n, ligne) for n, ligne in enumerate(physiques, start=1) if ligne.strip()]
    if not non_vides:
        raise _refus("Le manifeste est vide : il manque l'en-tête et les pièces.", "manifeste_vide")
    colonnes = _entete(non_vides[0][1])
    if len(non_vides) == 1:
        raise _refus(
            "Le manifeste ne liste aucune pièce : une ligne par pièce après l'en-tête.",
            "manifeste_vide",
        )
    return [_ligne(numero, brut_ligne, colonnes) for numero, brut_ligne in non_vides[1:]]


def _trop_de_lignes_ou_trop_gros() -> LotNumeriseurRefuse:
    return _refus(
        f"Le manifeste dépasse {MANIFESTE_TAILLE_MAX // 2**20} Mio : un lot compte au plus "
        f"{pieces_max()} pièces. Découpez-le en plusieurs lots.",
        "manifeste_trop_volumineux",
    )


def _cellules(brut: bytes) -> list[str]:
    texte = brut.decode("utf-8").rstrip("\r")
    return next(csv.reader([texte], delimiter=";"), [])


def _entete(brut: bytes) -> list[str]:
    attendu = ";".join(COLONNES_OBLIGATOIRES)
    try:
        colonnes = [c.strip().lower() for c in _cellules(brut)]
    except (UnicodeDecodeError, csv.Error) as e:
        raise _refus(
            f"L'en-tête du manifeste est illisible : il doit être « {attendu} » (ou "
            f"« {attendu};personne »), en UTF-8, séparé par des points-virgules.",
            "manifeste_invalide",
        ) from e
    manquantes = [c for c in COLONNES_OBLIGATOIRES if c not in colonnes]
    inconnues = [c for c in colonnes if c not in COLONNES_OBLIGATOIRES + COLONNES_FACULTATIVES]
    doubles = {c for c in colonnes if colonnes.count(c) > 1}
    if manquantes or inconnues or doubles:
        raisons = []
        if manquantes:
            raisons.append("il manque " + ", ".join(manquantes))
        if inconnues:
            raisons.append("colonnes inconnues " + ", ".join(c[:30] for c in inconnues[:5]))
        if doubles:
            raisons.append("colonnes en double " + ", ".join(sorted(doubles)))
        raise _refus(
            f"L'en-tête du manifeste doit être « {attendu} » (ou « {attendu};personne »), "
            "séparé par des points-virgules : " + " ; ".join(raisons) + ".",
            "manifeste_invalide",
        )
    return colonnes


def _ligne(numero: int, brut: bytes, colonnes: list[str]) -> LigneNumeriseur:
    ligne = LigneNumeriseur(ligne=numero)

    def rejet(code, message):
        ligne.code, ligne.message = code, message[:500]
        return ligne

    try:
        cellules = _cellules(brut)
    except UnicodeDecodeError:
        return rejet(
            "ligne_invalide",
            "La ligne n'est pas encodée en UTF-8 (Windows-1252 ?) : enregistrez le manifeste en "
            "UTF-8.",
        )
    except csv.Error:
        return rejet("ligne_invalide", "La ligne est mal formée (guillemets non refermés).")
    valeurs = dict(zip(colonnes, (c.strip() for c in cellules), strict=False))
    ligne.numero_unique = valeurs.get("numero_unique", "")[:40]
    ligne.type = valeurs.get("type", "")[:40]
    ligne.personne = valeurs.get("personne", "")[:20]
    ligne.nom_fichier = valeurs.get("fichier", "")[:255]
    if len(cellules) != len(colonnes):
        return rejet(
            "ligne_invalide",
            f"La ligne a {len(cellules)} colonne(s) au lieu de {len(colonnes)} : séparez "
            "les valeurs par des points-virgules.",
        )
    if "\x00" in brut.decode("utf-8"):
        return rejet("ligne_invalide", "La ligne contient un caractère nul.")
    if not ligne.numero_unique:
        return rejet("ligne_invalide", "Le numéro unique est vide.")
    if ligne.type not in TypePiece.values:
        return rejet(
            "ligne_invalide",
            f"Type de pièce inconnu : « {ligne.type[:40]} ». Types acceptés : "
            + ", ".join(TypePiece.values)
            + ".",
        )
    if ligne.personne.lower() not in PERSONNES:
        return rejet(
            "ligne_invalide",
            "La personne doit être vide (tout le ménage), « demandeur » ou « co_demandeur ».",
        )
    if not ligne.nom_fichier:
        return rejet("ligne_invalide", "Le nom du fichier est vide.")
    return ligne


# --- Processing ------------------------------------------------------------------------------


def traiter_lot_numeriseur(lot_id) -> None:
    """Every waiting line of the lot, each in its own transaction; then the e-mails. A lot
    started again (worker stopped) resumes at its first waiting line."""
    pris = LotNumeriseur.objects.filter(
        pk=lot_id, etat__in=[LotNumeriseur.Etat.RECU, LotNumeriseur.Etat.EN_COURS]
    ).update(etat=LotNumeriseur.Etat.EN_COURS)
    if not pris:
        return
    lot = LotNumeriseur.objects.select_related("guichet", "compte").get(pk=lot_id)
    chemin = dossier() / lot.fichier
    try:
        archive = zipfile.ZipFile(chemin)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        logger.exception("Lot du numériseur %s : ZIP illisible", lot.pk)
        _terminer(
            lot,
            LotNumeriseur.Etat.ECHOUE,
            "Le fichier du lot n'a pas pu être relu par le serveur : renvoyez le lot.",
        )
        return
    with archive:
        membres: dict[str, list[zipfile.ZipInfo]] = {}
        for info in archive.infolist():
            membres.setdefault(_nom(info.filename), []).append(info)
        en_attente = LigneNumeriseur.objects.filter(
            lot=lot, resultat=LigneNumeriseur.Resultat.EN_ATTENTE
        ).order_by("ligne")
        for pk in list(en_attente.values_list("pk", flat=True)):
            _traiter_ligne(lot, pk, archive, membres)
    _terminer(lot, LotNumeriseur.Etat.TERMINE, FIN_DE_LOT)
    chemin.unlink(missing_ok=True)


def reprendre_lots_interrompus(age=REPRISE_APRES) -> int:
    """Queue again the lots still not finished `age` after their reception (a worker stopped
    mid-lot): they resume at their first waiting line, no line done twice (each line is taken
    under a row lock, and only while waiting)."""
    lots = list(
        LotNumeriseur.objects.filter(
            etat__in=[LotNumeriseur.Etat.RECU, LotNumeriseur.Etat.EN_COURS],
            recu_le__lt=timezone.now() - age,
        ).values_list("pk", flat=True)
    )
    for lot_id in lots:
        _lancer(lot_id)
    return len(lots)


def _terminer(lot: LotNumeriseur, etat: str, message: str) -> None:
    with transaction.atomic():
        LotNumeriseur.objects.filter(pk=lot.pk).update(
            etat=etat, message=message, termine_le=timezone.now()
        )
        if etat == LotNumeriseur.Etat.TERMINE:
            transaction.on_commit(lambda: _prevenir(lot.pk))


def _prevenir(lot_id) -> None:
    from .tasks import prevenir_rejets_numeriseur

    prevenir_rejets_numeriseur(str(lot_id))


def _traiter_ligne(lot, pk, archive, membres) -> None:
    try:
        with transaction.atomic():
            ligne = (
                LigneNumeriseur.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, resultat=LigneNumeriseur.Resultat.EN_ATTENTE)
                .first()
            )
            if ligne is None:
                return  # another worker did it
            try:
                piece = _deposer(lot, ligne, archive, membres)
            except LigneRejetee as rejet:
                ligne.resultat = LigneNumeriseur.Resultat.REJETEE
                ligne.code, ligne.message = rejet.code, rejet.message[:500]
                compteur = "rejetees"
            else:
                ligne.resultat = LigneNumeriseur.Resultat.ATTACHEE
                ligne.piece_uid = piece.uid
                compteur = "attachees"
            ligne.traitee_le = timezone.now()
            ligne.save()
            LotNumeriseur.objects.filter(pk=lot.pk).update(**{compteur: F(compteur) + 1})
    except DatabaseError:
        raise  # the database is gone: the line stays waiting, the lot resumes later
    except Exception:
        logger.exception("Lot du numériseur %s, ligne %s : erreur inattendue", lot.pk, pk)
        with transaction.atomic():
            n = LigneNumeriseur.objects.filter(
                pk=pk, resultat=LigneNumeriseur.Resultat.EN_ATTENTE
            ).update(
                resultat=LigneNumeriseur.Resultat.REJETEE,
                code="erreur_interne",
                message="Une erreur inattendue a empêché de traiter cette pièce ; rien n'a été "
                "enregistré. Renvoyez-la dans un prochain lot.",
                traitee_le=timezone.now(),
            )
            if n:
                LotNumeriseur.objects.filter(pk=lot.pk).update(rejetees=F("rejetees") + 1)


INCONNU = (
    "numero_inconnu",
    "Aucune demande sur laquelle ce guichet peut agir ne porte ce numéro unique : vérifiez-le.",
)


def _deposer(lot, ligne, archive, membres):
    demande = (
        Demande.objects.select_related("guichet_enregistreur")
        .filter(numero_unique=numeros.normaliser(ligne.numero_unique))
        .first()
    )
    if demande is None:
        raise LigneRejetee(*INCONNU)
    try:
        exiger_saisie_sur(lot.compte, lot.guichet, demande)
    except NonAutorise as e:
        raise LigneRejetee(*INCONNU) from e
    ligne.demande = demande  # its registering desk hears about a rejection from here on
    personne = None
    role = PERSONNES[ligne.personne.lower()]
    if role:
        personne = demande.personnes.filter(role=role).first()
        if personne is None:
            raise LigneRejetee(
                "personne_absente", f"Le ménage de cette demande n'a pas de {ligne.personne}."
            )
    contenu = _lire_membre(archive, membres, ligne.nom_fichier)
    nom = _nom(ligne.nom_fichier).rsplit("/", 1)[-1]
    try:
        examine = examiner(contenu, nom)
        return services.deposer_piece(
            demande,
            None,
            type=ligne.type,
            par=lot.compte,
            guichet=lot.guichet,
            origine=OriginePiece.NUMERISEUR,
            personne=personne,
            nom=nom,
            examine=examine,
        )
    except (NonAutorise, Introuvable) as e:
        raise LigneRejetee(*INCONNU) from e
    except services.PieceDejaDeposee as e:
        raise LigneRejetee("piece_deja_deposee", e.message) from e
    except ErreurMetier as e:
        code = "demande_radiee" if "radi" in e.code else e.code
        raise LigneRejetee(code, e.message) from e


def _nom(nom: str) -> str:
    return nom.replace("\\", "/")


def _nom_interdit(nom: str) -> bool:
    """Absolute, or climbing out of the archive (a parent segment): never read, even though
    nothing is ever extracted to disk by its name."""
    return nom.startswith("/") or bool(re.match(r"[A-Za-z]:", nom)) or os.pardir in nom.split("/")


def _lire_membre(archive, membres, nom_fichier: str) -> bytes:
    """The bytes of the ZIP's member named on the line, read in memory under the pièces'
    limit (the declared size, the real one and the compression ratio bounded)."""
    nom = _nom(nom_fichier)
    if _nom_interdit(nom):
        raise LigneRejetee(
            "nom_de_fichier_interdit",
            "Le nom du fichier est absolu ou remonte hors de l'archive (dossier parent) : "
            "nommez les fichiers à partir de la racine du ZIP.",
        )
    trouves = membres.get(nom, [])
    if not trouves or trouves[0].is_dir():
        raise LigneRejetee("fichier_absent", f"Le fichier « {nom[-120:]} » n'est pas dans le ZIP.")
    if len(trouves) > 1:
        raise LigneRejetee(
            "fichier_en_double",
            f"Le ZIP contient plusieurs fichiers « {nom[-120:]} » : on ne sait lequel prendre.",
        )
    info = trouves[0]
    if _nom_interdit(_nom(info.filename)):
        raise LigneRejetee("nom_de_fichier_interdit", "Le nom du fichier est interdit.")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise LigneRejetee(
            "nom_de_fichier_interdit",
            "Ce fichier du ZIP est un lien symbolique, pas une pièce : il n'est pas suivi.",
        )
    maximum = settings.SNE_PIECES_TAILLE_MAX
    if info.file_size == 0:
        raise LigneRejetee("fichier_vide", "Le fichier est vide (0 octet).")
    if info.file_size > maximum:
        raise LigneRejetee(
            "fichier_trop_gros",
            f"Le fichier pèse {info.file_size / 1_048_576:.1f} Mo décompressé : le maximum est "
            f"{maximum / 1_048_576:.0f} Mo par pièce.",
        )
    if info.file_size > RATIO_SEUIL and info.file_size > RATIO_MAX * max(info.compress_size, 1):
        raise LigneRejetee(
            "archive_suspecte",
            f"Ce fichier grossit plus de {RATIO_MAX} fois une fois décompressé : une pièce "
            "numérisée ne se compresse pas ainsi (bombe de décompression ?). Il est refusé.",
        )
    try:
        with archive.open(info) as membre:
            # A ZIP entry never yields more than its declared size; the CRC is checked at
            # its end (a lying header is an unreadable member).
            contenu = membre.read(maximum + 1)
    except RuntimeError as e:  # encrypted
        raise LigneRejetee(
            "fichier_illisible", "Ce fichier du ZIP est protégé par un mot de passe."
        ) from e
    except (
        zipfile.BadZipFile,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,
        zlib.error,
    ) as e:
        raise LigneRejetee(
            "fichier_illisible",
            "Ce fichier du ZIP est abîmé (contrôle d'intégrité en échec) : numérisez la pièce à "
            "nouveau.",
        ) from e
    if len(contenu) > maximum:
        raise LigneRejetee("fichier_trop_gros", "Le fichier dépasse la taille maximale.")
    return contenu


# --- Reading -----------------------------------------------------------------------------------


def trouver_lot_numeriseur(lot_id, guichet) -> LotNumeriseur:
    """The lot of that identifier sent by `guichet`; another desk's lot is not found."""
    lot = LotNumeriseur.objects.filter(pk=lot_id, guichet=guichet).first()
    if lot is None:
        raise Introuvable(
            "Aucun lot du numériseur de ce guichet ne porte cet identifiant.",
            code="lot_introuvable",
        )
    return lot


def lignes_du_lot(lot, *, apres_ligne: int = 0, limite: int = 100, resultat: str = ""):
    """A page of the lot's lines, in order, and the line to pass for the next one (or None)."""
    lignes = LigneNumeriseur.objects.filter(lot=lot, ligne__gt=apres_ligne)
    if resultat:
        lignes = lignes.filter(resultat=resultat)
    page = list(lignes.order_by("ligne")[: limite + 1])
    suite = page[limite - 1].ligne if len(page) > limite else None
    return page[:limite], suite


# --- E-mails -------------------------------------------------------------------------------------


def prevenir_des_rejets(lot_id) -> int:
    """E-mail each desk concerned the rejected pièces of the lot: the demande's registering
    desk, or the sender when the numéro is unknown to it (or the line unreadable). Returns how
    many e-mails were sent.

    Replayed (a Huey retry after one desk's e-mail failed), it e-mails only the desks not yet
    told: each desk's lines are marked `prevenu_le` in the transaction that sends its e-mail,
    under a row lock, so that a desk already told never gets the list twice."""
    lot = LotNumeriseur.objects.select_related("guichet").get(pk=lot_id)
    a_prevenir = LigneNumeriseur.objects.filter(
        lot=lot, resultat=LigneNumeriseur.Resultat.REJETEE, prevenu_le__isnull=True
    )
    par_guichet: dict = {}
    for ligne in a_prevenir.select_related("demande__guichet_enregistreur").order_by("ligne"):
        guichet = ligne.demande.guichet_enregistreur if ligne.demande_id else lot.guichet
        par_guichet.setdefault(guichet.pk, (guichet, []))[1].append(ligne.pk)
    envoyes = 0
    for guichet, pks in par_guichet.values():
        adresses = guichet.destinataires()
        if not adresses:
            logger.warning(
                "Lot du numériseur %s : le guichet %s n'a pas d'adresse, %s rejet(s) non signalés",
                lot.pk,
                guichet.code,
                len(pks),
            )
            continue
        with transaction.atomic():
            # Taken again under lock: a concurrent run that told this desk has marked them.
            lignes = list(a_prevenir.select_for_update().filter(pk__in=pks).order_by("ligne"))
            if not lignes:
                continue
            LigneNumeriseur.objects.filter(pk__in=[ligne.pk for ligne in lignes]).update(
                prevenu_le=timezone.now()
            )
            # Sent last: if it fails, the marks are rolled back and the retry sends it.
            EmailMessage(
                f"SNE — Numériseur industriel : {_pieces_rejetees(len(lignes))} — lot du "
                f"{timezone.localtime(lot.recu_le):%d/%m/%Y}",
                texte_du_courriel(lot, guichet, lignes),
                to=adresses,
            ).send()
        envoyes += 1
    return envoyes


def _pieces_rejetees(nombre: int) -> str:
    return "1 pièce rejetée" if nombre == 1 else f"{nombre} pièces rejetées"


def _numero_affichable(saisi: str) -> str:
    numero = numeros.normaliser(saisi)
    return numero if re.match(numeros.MOTIF, numero) else "(numéro illisible)"


def texte_du_courriel(lot, guichet, lignes) -> str:
    types = dict(TypePiece.choices)
    lignes_texte = [
        f"- ligne {ligne.ligne} du manifeste : demande {_numero_affichable(ligne.numero_unique)}"
        f", {types.get(ligne.type, 'type non reconnu')} — "
        f"{RAISONS.get(ligne.code, 'pièce refusée')}"
        for ligne in lignes
    ]
    envoye_par = (
        "par votre guichet"
        if guichet.pk == lot.guichet_id
        else f"par le guichet {lot.guichet.code}"
    )
    suivi = (
        f"\nLe détail de chaque ligne : GET /api/v1/numeriseur/lots/{lot.pk}\n"
        if guichet.pk == lot.guichet_id
        else ""
    )
    return (
        f"Bonjour,\n\nLe numériseur industriel a reçu le "
        f"{timezone.localtime(lot.recu_le):%d/%m/%Y à %H:%M} un lot de pièces justificatives "
        f"envoyé {envoye_par} (lot {lot.pk}). Seules les pièces ci-dessous ont été rejetées ; "
        "les autres pièces du lot ont été traitées normalement.\n\n"
        + "\n".join(lignes_texte)
        + "\n\nPour chacune, numérisez à nouveau le document et renvoyez-le dans un prochain lot, "
        "ou ajoutez-le depuis la fiche de la demande.\n"
        + suivi
        + "\n-- \nSNE — Système National d'Enregistrement\n"
    )
