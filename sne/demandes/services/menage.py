"""The household's size: always derived from the people of the demande (CERFA 14069: the
demandeur, the co-demandeur, the personnes à charge), never typed (issue 9)."""

from ..models import Demande


def recompter_menage(demande: Demande) -> tuple[int, int]:
    """Set `demande.nombre_personnes` from its people (not saved); return (before, after)."""
    avant = demande.nombre_personnes
    demande.nombre_personnes = max(1, demande.personnes.count())
    return avant, demande.nombre_personnes
