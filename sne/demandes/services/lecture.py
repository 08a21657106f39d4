"""Reading a demande: finding it by its numéro within what the person may see, and the audit
trace of every consultation."""

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser
from sne.exceptions import Introuvable

from .. import numero as numeros
from ..models import Demande


def trouver_demande(numero_unique: str, par) -> Demande:
    """The demande of that numéro if the person may see it; otherwise say so, and suggest
    close numbers among those visible (a typo in 18 characters is easy)."""
    numero = numeros.normaliser(numero_unique)
    numeros.analyser(numero)  # a malformed number gets a precise message
    visibles = Demande.objects.visibles_par(par)
    demande = visibles.filter(numero_unique=numero).first()
    if demande is None:
        proches = numeros.numeros_proches(
            numero,
            list(
                visibles.filter(numero_unique__startswith=numero[:3]).values_list(
                    "numero_unique", flat=True
                )[:20000]
            ),
        )
        raise Introuvable(
            f"Aucune demande visible ne porte le numéro {numero}.",
            code="demande_introuvable",
            details={"suggestions": proches},
        )
    return demande


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
