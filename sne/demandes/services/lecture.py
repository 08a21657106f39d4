"""Reading a demande: the audit trace of every consultation, of one demande or of a list
(finding a demande by its numéro is `sne.demandes.recherche.trouver_demande`)."""

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser, journaliser_lecture

from ..models import Demande


def consulter(demande: Demande, par, guichet=None) -> Demande:
    """Every consultation by an agent is written to the audit log."""
    journaliser(
        EvenementAudit.Action.CONSULTATION,
        utilisateur=par,
        guichet=guichet,
        objet=demande,
        resume=f"Consultation de la demande {demande.numero_unique}",
    )
    return demande


def consulter_liste(demandes, par, motif: str) -> None:
    """A page listing demandes (names, birth dates) is a consultation of each of them: one
    entry per demande, so that its journal says who saw it, written in one query."""
    journaliser_lecture(demandes, utilisateur=par, resume=motif)
