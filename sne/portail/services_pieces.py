"""« Mes pièces justificatives »: the signed-in applicant and the dossier unique of their own
demande (issue 14: « the applicant's portal uses the same service »).

Every act goes through the desks' services (`sne.pieces.services`) with the applicant as the
actor (`DemandeurEnLigne`), the portal's desk as the desk (`guichet_du_portail`, as
`_verser_au_dossier` does for the identity document of a demande made online) and the origin
« portail »: the content checks, the antivirus, the history, the audit and the change feed are
theirs. The applicant adds a pièce and replaces a refused one; they never validate nor refuse
(a desk does). A pièce of another demande is never found (`Introuvable`, whatever its reason:
nothing tells it exists), the attempt audited by `trouver_piece`.
"""

from django.conf import settings

from sne.audit.models import EvenementAudit
from sne.exceptions import ErreurMetier, Introuvable, NonAutorise
from sne.pieces import services as pieces
from sne.pieces.models import Piece
from sne.pieces.nomenclatures import OriginePiece, StatutPiece

from .commun import journaliser_demandeur, le_demandeur


def mes_pieces(demande) -> list[Piece]:
    """The pièces of the applicant's demande, newest first, the page's reading audited once."""
    moi, _ = le_demandeur(demande)
    liste = list(pieces.pieces_visibles(demande, par=moi))
    journaliser_demandeur(
        EvenementAudit.Action.CONSULTATION,
        demande,
        "Consultation de ses pièces justificatives en ligne",
        details={"pieces": len(liste)},
    )
    return liste


def pieces_manquantes(demande, liste: list[Piece]) -> list[str]:
    return pieces.pieces_obligatoires_manquantes(demande, liste)


def deposer_en_ligne(demande, fichier, *, type: str, personne=None) -> Piece:
    """The applicant adds a pièce to their own demande: `deposer_piece`, origin « portail »."""
    moi, guichet = le_demandeur(demande)
    return pieces.deposer_piece(
        demande,
        fichier,
        type=type,
        personne=personne,
        par=moi,
        guichet=guichet,
        origine=OriginePiece.PORTAIL,
    )


def ma_piece(demande, uid, *, adresse_ip=None) -> Piece:
    """A pièce of the applicant's own demande. Another demande's, or an unknown identifier:
    `Introuvable`, the same answer (the attempt on another's is audited as « accès refusé »)."""
    moi, guichet = le_demandeur(demande)
    try:
        return pieces.trouver_piece(uid, par=moi, guichet=guichet, adresse_ip=adresse_ip)
    except NonAutorise as e:
        raise Introuvable("Aucune pièce ne porte cet identifiant.", code="piece_introuvable") from e


def remplacer_en_ligne(demande, uid, fichier) -> Piece:
    """The applicant sends a new file for a pièce a desk refused (`remplacer_piece`): the
    refused one stays in the history, « remplacée ». A pièce not refused is the desk's to
    judge: it is not replaced from the portal."""
    ancienne = ma_piece(demande, uid)
    if ancienne.statut != StatutPiece.REFUSEE:
        raise ErreurMetier(
            "Seule une pièce refusée se remplace en ligne. Pour ajouter un autre document, "
            "utilisez « Ajouter une pièce ».",
            code="piece_non_refusee",
        )
    moi, guichet = le_demandeur(demande)
    return pieces.remplacer_piece(
        ancienne, fichier, par=moi, guichet=guichet, origine=OriginePiece.PORTAIL
    )


def ouvrir_ma_piece(demande, uid, *, adresse_ip=None) -> tuple[Piece, bytes]:
    """The file of one of the applicant's own pièces, read by `lire_piece` (audited with the
    portal's desk and no agent, like every act of the applicant)."""
    piece = ma_piece(demande, uid, adresse_ip=adresse_ip)
    moi, guichet = le_demandeur(demande)
    return piece, pieces.lire_piece(piece, par=moi, guichet=guichet, adresse_ip=adresse_ip)


def taille_max() -> int:
    return settings.SNE_PIECES_TAILLE_MAX
