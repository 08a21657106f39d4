"""The use cases of the dossier unique, one function per action, called by the desks' pages, the
API, the scanner's intake and the portal alike (docs/pieces.md).

- `deposer_piece`: a new pièce on a demande (content checked, antivirus, stored, history,
  audit, `piece_ajoutee` on the change feed); `remplacer_piece`: the same, the old one kept
  as « remplacée ».
- `valider_piece`, `refuser_piece`: a desk's decision, with its motif.
- `pieces_visibles`, `trouver_piece`, `lire_piece`: who may see which pièce; reading a file
  is always audited, a refused attempt too.
- `analyser_pieces_en_attente`: the antivirus again for the pièces that arrived while it was
  unreachable (periodic task).
- `purger_pieces_expirees`: the files and rows of the pièces of a demande struck off more than
  a year ago (CCH R441-2-8: the data of a radiée demande are kept one year), nightly.

Rights: adding, validating, refusing and replacing are acts of saisie on the demande
(`exiger_saisie_sur`: the registering desk or a desk habilitated on its département; the
applicant on their own demande, adding only); reading needs the demande in the consultation
scope (the applicant: their own).
"""

import logging
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser
from sne.comptes.droits import guichet_de_consultation
from sne.demandes.models import Demande, HistoriqueDemande
from sne.demandes.regles import exiger_modifiable, exiger_saisie_sur
from sne.demandes.services.historique import publier_evenement
from sne.exceptions import ErreurMetier, Introuvable, NonAutorise

from . import antivirus
from .controles import FichierExamine, PieceRefusee, examiner
from .models import EvenementPiece, Piece
from .nomenclatures import MOTIFS_DU_GUICHET, MotifRefus, OriginePiece, StatutPiece, TypePiece

journal = logging.getLogger(__name__)

CONSERVATION_APRES_RADIATION = relativedelta(years=1)


class PieceDejaDeposee(ErreurMetier):
    statut_http = 409
    code = "piece_deja_deposee"


def lire_fichier_envoye(fichier, maximum: int) -> bytes:
    """The bytes of an upload (an `UploadedFile`, a file object or bytes), at most
    `maximum + 1` of them, so that a huge upload is refused without being read whole."""
    if isinstance(fichier, bytes | bytearray):
        return bytes(fichier[: maximum + 1])
    if hasattr(fichier, "seek"):
        fichier.seek(0)
    return fichier.read(maximum + 1)


def _agent(par):
    return par if getattr(par, "is_authenticated", False) else None


def _verifier_type_et_personne(demande: Demande, type_: str, personne):
    if type_ not in TypePiece.values:
        raise ErreurMetier(
            f"Type de pièce inconnu : « {type_} ». Choisissez un type de la liste nationale "
            "(identite, titre_sejour, avis_imposition, ressources…).",
            code="type_piece_inconnu",
            champ="type",
        )
    if personne is not None and personne.demande_id != demande.pk:
        raise ErreurMetier(
            "Cette personne ne fait pas partie du ménage de la demande.",
            code="personne_hors_menage",
            champ="personne",
        )


@transaction.atomic
def deposer_piece(
    demande: Demande,
    fichier,
    *,
    type: str,
    par,
    guichet,
    origine: str = OriginePiece.GUICHET,
    personne=None,
    nom: str = "",
    examine: FichierExamine | None = None,
    _remplace: Piece | None = None,
) -> Piece:
    """Add a pièce to a demande's dossier. `fichier`: an upload or bytes (or `examine`, the
    content already checked by `controles.examiner`, for the scanner's intake). Raises
    `PieceRefusee` for a file that cannot be a pièce (its reason), `PieceDejaDeposee` for the
    very same file already in the dossier, `NonAutorise` without saisie on the demande."""
    from django.conf import settings

    exiger_saisie_sur(par, guichet, demande)
    exiger_modifiable(demande)
    _verifier_type_et_personne(demande, type, personne)
    if origine not in OriginePiece.values:
        raise ErreurMetier(f"Origine inconnue : {origine}.", code="origine_inconnue")
    nom = (getattr(fichier, "name", "") or nom or "").replace("\\", "/").rsplit("/", 1)[-1]
    if examine is None:
        examine = examiner(lire_fichier_envoye(fichier, settings.SNE_PIECES_TAILLE_MAX), nom)
    deja = (
        Piece.objects.filter(demande=demande, empreinte=examine.empreinte)
        .exclude(statut__in=[StatutPiece.REFUSEE, StatutPiece.REMPLACEE])
        .first()
    )
    if deja is not None:
        raise PieceDejaDeposee(
            f"Ce fichier est déjà au dossier de la demande {demande.numero_unique} "
            f"({deja.get_type_display()}, ajoutée le "
            f"{timezone.localtime(deja.ajoutee_le):%d/%m/%Y}).",
            details={"piece": str(deja.uid)},
        )
    analyse = antivirus.analyser(examine.contenu)
    if analyse.verdict is antivirus.Verdict.INFECTE:
        journal.warning(
            "Pièce refusée par l'antivirus (%s) pour la demande %s, guichet %s",
            analyse.signature,
            demande.numero_unique,
            guichet.code,
        )
        raise PieceRefusee(
            f"L'antivirus a détecté un virus dans ce fichier ({analyse.signature}) : il n'a pas "
            "été enregistré.",
            code="virus",
            details={"signature": analyse.signature},
        )
    maintenant = timezone.now()
    piece = Piece(
        demande=demande,
        personne=personne,
        type=type,
        nom_fichier=nom[-200:],
        type_contenu=examine.type_contenu,
        taille=examine.taille,
        pages=examine.pages,
        empreinte=examine.empreinte,
        origine=origine,
        guichet=guichet,
        utilisateur=_agent(par),
        statut=StatutPiece.RECUE
        if analyse.verdict is antivirus.Verdict.SAIN
        else StatutPiece.EN_ATTENTE_ANALYSE,
        analysee_le=maintenant if analyse.verdict is antivirus.Verdict.SAIN else None,
    )
    piece.fichier.save(f"piece.{examine.extension}", ContentFile(examine.contenu), save=False)
    # The file is written first: if the row cannot be, the file goes. (If the caller's
    # transaction is rolled back later, the file is left without a row: the nightly
    # `nettoyer_fichiers_orphelins` erases it.)
    try:
        with transaction.atomic():
            piece.save()
            if _remplace is not None:
                _remplace.statut = StatutPiece.REMPLACEE
                _remplace.remplacee_par = piece
                _remplace.save(update_fields=["statut", "remplacee_par"])
                _etape(_remplace, EvenementPiece.Action.REMPLACEMENT, par, guichet)
    except IntegrityError as e:
        piece.fichier.delete(save=False)
        if "piece_unique_par_demande" not in str(e) and "empreinte" not in str(e):
            raise
        raise PieceDejaDeposee(
            f"Ce fichier est déjà au dossier de la demande {demande.numero_unique}."
        ) from e
    except BaseException:
        piece.fichier.delete(save=False)
        raise
    _etape(piece, EvenementPiece.Action.DEPOT, par, guichet, piece.get_origine_display())
    if piece.statut == StatutPiece.RECUE:
        _etape(piece, EvenementPiece.Action.ANALYSE, None, None, "Aucun virus détecté.")
    HistoriqueDemande.objects.create(
        demande=demande,
        action=HistoriqueDemande.Action.PIECE_AJOUTEE,
        utilisateur=_agent(par),
        guichet=guichet,
        commentaire=piece.get_type_display()
        + (
            f" (remplace celle du {timezone.localtime(_remplace.ajoutee_le):%d/%m/%Y})"
            if _remplace is not None
            else ""
        ),
        version=demande.version,
    )
    journaliser(
        EvenementAudit.Action.CREATION,
        utilisateur=_agent(par),
        guichet=guichet,
        objet=piece,
        resume=f"Pièce ajoutée ({piece.type}) à la demande {demande.numero_unique}",
        details={"origine": origine, "type": type, "statut": piece.statut},
    )
    publier_evenement(
        demande,
        HistoriqueDemande.Action.PIECE_AJOUTEE,
        guichet=guichet,
        changements=[{"champ": "pieces"}],
    )
    return piece


def _etape(piece, action, par, guichet, commentaire: str = "") -> None:
    EvenementPiece.objects.create(
        piece=piece,
        action=action,
        utilisateur=_agent(par),
        guichet=guichet,
        commentaire=commentaire[:500],
    )


def remplacer_piece(
    ancienne: Piece, fichier, *, par, guichet, origine=OriginePiece.GUICHET, nom=""
):
    """A new file for the same pièce (same type, same person): the old one stays in the
    history, « remplacée », pointing to the new one."""
    with transaction.atomic():
        ancienne = Piece.objects.select_for_update().get(pk=ancienne.pk)
        if ancienne.statut in (StatutPiece.REMPLACEE,):
            raise ErreurMetier(
                "Cette pièce a déjà été remplacée : remplacez la plus récente.",
                code="piece_deja_remplacee",
            )
        return deposer_piece(
            ancienne.demande,
            fichier,
            type=ancienne.type,
            par=par,
            guichet=guichet,
            origine=origine,
            personne=ancienne.personne,
            nom=nom,
            _remplace=ancienne,
        )


def _exiger_decision(piece: Piece, par, guichet) -> Piece:
    if getattr(par, "est_demandeur", False):
        raise NonAutorise("Seul un guichet valide ou refuse une pièce.")
    exiger_saisie_sur(par, guichet, piece.demande)
    exiger_modifiable(piece.demande)
    piece = Piece.objects.select_for_update().select_related("demande").get(pk=piece.pk)
    if piece.statut == StatutPiece.EN_ATTENTE_ANALYSE:
        raise ErreurMetier(
            "Cette pièce attend l'analyse antivirus : elle ne peut pas encore être ouverte, ni "
            "validée ou refusée.",
            code="piece_en_attente_analyse",
        )
    if piece.statut == StatutPiece.REMPLACEE:
        raise ErreurMetier(
            "Cette pièce a été remplacée : décidez sur la plus récente.",
            code="piece_remplacee",
        )
    if piece.motif_refus == MotifRefus.VIRUS or not piece.fichier:
        raise ErreurMetier(
            "Le fichier de cette pièce a été effacé : elle ne peut plus être validée.",
            code="piece_effacee",
        )
    return piece


@transaction.atomic
def valider_piece(piece: Piece, *, par, guichet) -> Piece:
    """The desk has looked at the pièce and accepts it (an expired identity document is
    accepted while the photo resembles: FAQ « Dossier unique »)."""
    piece = _exiger_decision(piece, par, guichet)
    if piece.statut == StatutPiece.VALIDEE:
        return piece
    return _decider(piece, StatutPiece.VALIDEE, "", "", par=par, guichet=guichet)


@transaction.atomic
def refuser_piece(piece: Piece, motif: str, precision: str = "", *, par, guichet) -> Piece:
    piece = _exiger_decision(piece, par, guichet)
    precision = (precision or "").strip()[:500]
    if motif not in {m.value for m in MOTIFS_DU_GUICHET}:
        raise ErreurMetier(
            "Choisissez le motif du refus : "
            + ", ".join(f"{m.value} ({m.label})" for m in MOTIFS_DU_GUICHET)
            + ".",
            code="motif_refus_inconnu",
            champ="motif",
        )
    if motif == MotifRefus.AUTRE and not precision:
        raise ErreurMetier(
            "Précisez le motif du refus.", code="precision_requise", champ="precision"
        )
    return _decider(piece, StatutPiece.REFUSEE, motif, precision, par=par, guichet=guichet)


def _decider(piece: Piece, statut: str, motif: str, precision: str, *, par, guichet) -> Piece:
    """Records the desk's decision on the pièce: its status, the history step and the audit
    entry (one place for `valider_piece` and `refuser_piece`)."""
    piece.statut = statut
    piece.motif_refus = motif
    piece.precision_refus = precision
    piece.decidee_le = timezone.now()
    piece.decidee_par = _agent(par)
    piece.save(
        update_fields=["statut", "motif_refus", "precision_refus", "decidee_le", "decidee_par"]
    )
    if statut == StatutPiece.VALIDEE:
        action, commentaire = EvenementPiece.Action.VALIDATION, ""
        resume = f"Pièce validée ({piece.type})"
    else:
        action, commentaire = EvenementPiece.Action.REFUS, piece.get_motif_refus_display()
        resume = f"Pièce refusée ({piece.type}, {motif})"
    _etape(piece, action, par, guichet, commentaire)
    journaliser(
        EvenementAudit.Action.MODIFICATION,
        utilisateur=_agent(par),
        guichet=guichet,
        objet=piece,
        resume=f"{resume} de la demande {piece.demande.numero_unique}",
    )
    return piece


# ---------------------------------------------------------------------------------------------
# Reading


def peut_consulter(par, demande: Demande) -> bool:
    if getattr(par, "est_demandeur", False):
        return par.demande_id == demande.pk
    return Demande.objects.visibles_par(par).filter(pk=demande.pk).exists()


def pieces_visibles(demande: Demande, *, par):
    """The pièces of a demande, newest first, for someone who may consult it."""
    if not peut_consulter(par, demande):
        raise NonAutorise("Vous ne pouvez pas consulter les pièces de cette demande.")
    return (
        Piece.objects.filter(demande=demande)
        .select_related("personne", "guichet", "utilisateur", "decidee_par", "remplacee_par")
        .order_by("-ajoutee_le", "-pk")
    )


def trouver_piece(uid, *, par, guichet=None, adresse_ip=None) -> Piece:
    """The pièce of that identifier if `par` may consult its demande. Unknown: `Introuvable`;
    known but out of scope: `NonAutorise`, with an audit entry « accès refusé » (an attempt to
    open someone else's document is worth knowing), written for `guichet`, by default the
    agent's consultation desk (`guichet_de_consultation`)."""
    piece = (
        Piece.objects.select_related("demande", "personne", "guichet").filter(uid=str(uid)).first()
        if _uuid_valide(uid)
        else None
    )
    if piece is None:
        raise Introuvable("Aucune pièce ne porte cet identifiant.", code="piece_introuvable")
    if not peut_consulter(par, piece.demande):
        if guichet is None and _agent(par) is not None and not getattr(par, "est_demandeur", False):
            guichet = guichet_de_consultation(par, piece.demande)
        journaliser(
            EvenementAudit.Action.ACCES_REFUSE,
            utilisateur=_agent(par),
            guichet=guichet,
            objet=piece,
            resume=f"Accès refusé à une pièce de la demande {piece.demande.numero_unique}",
            adresse_ip=adresse_ip,
        )
        raise NonAutorise(
            "Cette pièce appartient à une demande hors de votre périmètre de consultation."
        )
    return piece


TYPES_IDENTITE = (TypePiece.IDENTITE, TypePiece.TITRE_SEJOUR)


def pieces_obligatoires_manquantes(demande: Demande, pieces) -> list[str]:
    """What the dossier still lacks among the pièces the arrêté du 22 décembre 2020 requires
    (I-A: the demandeur's identity or lawful residence; I-B: the tax notice), given the
    demande's pièces (`pieces_visibles`): labels, empty when nothing is missing. A refused or
    replaced pièce does not count; one waiting for the antivirus does."""
    en_vigueur = [p for p in pieces if p.en_vigueur]
    demandeur = demande.demandeur
    manquantes = []
    if not any(
        p.type in TYPES_IDENTITE
        and (p.personne_id is None or (demandeur is not None and p.personne_id == demandeur.pk))
        for p in en_vigueur
    ):
        manquantes.append("Pièce d'identité ou titre de séjour du demandeur")
    if not any(p.type == TypePiece.AVIS_IMPOSITION for p in en_vigueur):
        manquantes.append(str(TypePiece.AVIS_IMPOSITION.label))
    return manquantes


def _uuid_valide(uid) -> bool:
    import uuid

    try:
        uuid.UUID(str(uid))
    except ValueError:
        return False
    return True


def lire_piece(piece: Piece, *, par, guichet=None, adresse_ip=None) -> bytes:
    """The file of a pièce, for someone who may consult its demande: audited (who, which desk,
    from where). A pièce waiting for the antivirus, or whose file was erased, is not read."""
    if not peut_consulter(par, piece.demande):
        trouver_piece(piece.uid, par=par, guichet=guichet, adresse_ip=adresse_ip)
    if piece.statut == StatutPiece.EN_ATTENTE_ANALYSE:
        raise ErreurMetier(
            "Cette pièce attend l'analyse antivirus : elle pourra être ouverte dès qu'elle sera "
            "analysée (quelques minutes).",
            code="piece_en_attente_analyse",
        )
    if not piece.fichier:
        raise Introuvable(
            "Le fichier de cette pièce a été effacé (virus, ou fin de la durée de conservation).",
            code="piece_effacee",
        )
    with piece.fichier.open("rb") as f:
        contenu = f.read()
    journaliser(
        EvenementAudit.Action.TELECHARGEMENT,
        utilisateur=_agent(par),
        guichet=guichet,
        objet=piece,
        resume=f"Pièce ouverte ({piece.type}) de la demande {piece.demande.numero_unique}",
        adresse_ip=adresse_ip,
    )
    return contenu


def nom_de_telechargement(piece: Piece) -> str:
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
        piece.type_contenu, "bin"
    )
    return f"{piece.demande.numero_unique}-{piece.type}-{piece.pk}.{extension}"


# ---------------------------------------------------------------------------------------------
# Tasks


def analyser_pieces_en_attente(limite: int = 500) -> int:
    """The antivirus for the pièces that arrived while it was unreachable; how many were
    analysed (0 while it still does not answer). A virus: the file is erased at once, the
    pièce refused with the motif « virus »."""
    faites = 0
    for pk in Piece.objects.filter(statut=StatutPiece.EN_ATTENTE_ANALYSE).values_list(
        "pk", flat=True
    )[:limite]:
        with transaction.atomic():
            piece = (
                Piece.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, statut=StatutPiece.EN_ATTENTE_ANALYSE)
                .first()
            )
            if piece is None:
                continue
            with piece.fichier.open("rb") as f:
                analyse = antivirus.analyser(f.read())
            if analyse.verdict is antivirus.Verdict.INDISPONIBLE:
                return faites
            piece.analysee_le = timezone.now()
            if analyse.verdict is antivirus.Verdict.SAIN:
                piece.statut = StatutPiece.RECUE
                _etape(piece, EvenementPiece.Action.ANALYSE, None, None, "Aucun virus détecté.")
            else:
                piece.statut = StatutPiece.REFUSEE
                piece.motif_refus = MotifRefus.VIRUS
                piece.precision_refus = analyse.signature[:500]
                nom = piece.fichier.name
                piece.fichier = ""
                piece.effacee_le = piece.analysee_le
                stockage = Piece._meta.get_field("fichier").storage
                transaction.on_commit(lambda s=stockage, n=nom: s.delete(n))
                _etape(
                    piece, EvenementPiece.Action.REFUS, None, None, f"Virus : {analyse.signature}"
                )
                journaliser(
                    EvenementAudit.Action.SUPPRESSION,
                    objet=piece,
                    resume=f"Pièce effacée (virus {analyse.signature}) de la demande "
                    f"{piece.demande.numero_unique}",
                )
            piece.save()
            faites += 1
    return faites


def purger_pieces_expirees(aujourd_hui=None, par_paquet: int = 200) -> int:
    """Erase the pièces (files, rows, their history) of the demandes struck off more than a
    year ago, with one audit entry per demande. Returns the number of pièces erased."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    limite = aujourd_hui - CONSERVATION_APRES_RADIATION
    total = 0
    while True:
        demandes = list(
            Demande.objects.filter(
                statut=Demande.Statut.RADIEE, date_radiation__lte=limite, pieces__isnull=False
            )
            .distinct()
            .order_by("pk")[:par_paquet]
        )
        if not demandes:
            return total
        for demande in demandes:
            total += _purger_demande(demande)


def _purger_demande(demande: Demande) -> int:
    with transaction.atomic():
        pieces = list(Piece.objects.select_for_update().filter(demande=demande))
        noms = [p.fichier.name for p in pieces if p.fichier]
        Piece.objects.filter(demande=demande).delete()
        journaliser(
            EvenementAudit.Action.SUPPRESSION,
            objet=demande,
            resume=f"Pièces effacées ({len(pieces)}) de la demande {demande.numero_unique} : "
            "radiée depuis plus d'un an (fin de la durée de conservation)",
            details={"pieces": len(pieces)},
        )
        stockage = Piece._meta.get_field("fichier").storage
        transaction.on_commit(lambda: [stockage.delete(nom) for nom in noms])
    return len(pieces)


def nettoyer_fichiers_orphelins(age=timedelta(days=1)) -> int:
    """Erase the stored files older than `age` that no pièce names (a transaction rolled back
    after the file was written, a process killed in between). Returns how many."""
    stockage = Piece._meta.get_field("fichier").storage
    limite = timezone.now() - age
    effaces = 0
    for nom in _fichiers(stockage, ""):
        if Piece.objects.filter(fichier=nom).exists():
            continue
        try:
            if stockage.get_modified_time(nom) > limite:
                continue
        except (OSError, NotImplementedError):
            continue
        stockage.delete(nom)
        effaces += 1
    return effaces


def _fichiers(stockage, dossier: str):
    try:
        sous_dossiers, fichiers = stockage.listdir(dossier)
    except (FileNotFoundError, NotADirectoryError):
        return
    for fichier in fichiers:
        yield f"{dossier}/{fichier}" if dossier else fichier
    for sous in sous_dossiers:
        yield from _fichiers(stockage, f"{dossier}/{sous}" if dossier else sous)


def pieces_en_attente_depuis(minutes: int = 30) -> int:
    """How many pièces wait for the antivirus for more than `minutes` (health page)."""
    return Piece.objects.filter(
        statut=StatutPiece.EN_ATTENTE_ANALYSE,
        ajoutee_le__lt=timezone.now() - timedelta(minutes=minutes),
    ).count()
