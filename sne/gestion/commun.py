"""What the gestionnaire's pages share."""

from sne.comptes.droits import droits_de
from sne.referentiels.models import Departement


def departements_geres(utilisateur) -> list[Departement]:
    """The open départements a person manages (all of them for the national level), by code:
    the choices of the pages' département filters."""
    droits = droits_de(utilisateur)
    departements = Departement.objects.filter(date_fermeture=None).order_by("code")
    if not droits.national:
        departements = departements.filter(code__in=droits.departements_gestion)
    return list(departements)
