"""The history of a demande (old → new, who, for which desk) and its audit entry, written by
every service that changes it."""

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser

from ..models import HistoriqueDemande


def historiser(demande, action, *, agent=None, guichet=None, changements=None, commentaire=""):
    HistoriqueDemande.objects.create(
        demande=demande,
        action=action,
        utilisateur=agent,
        guichet=guichet,
        changements=changements or [],
        commentaire=commentaire,
        version=demande.version,
    )
    journaliser(
        EvenementAudit.Action.CREATION
        if action.startswith("creation")
        else EvenementAudit.Action.MODIFICATION,
        utilisateur=agent,
        guichet=guichet,
        objet=demande,
        resume=f"{HistoriqueDemande.Action(action).label} de la demande {demande.numero_unique}",
        details={"champs": sorted({c["champ"] for c in (changements or [])})},
    )


def enregistrer_version(
    demande, action, *, agent=None, guichet=None, changements=None, commentaire=""
):
    """Save a changed demande as its next version, with its history entry and audit trace."""
    demande.version += 1
    demande.save()
    historiser(
        demande,
        action,
        agent=agent,
        guichet=guichet,
        changements=changements,
        commentaire=commentaire,
    )
