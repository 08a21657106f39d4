"""Periodic work of the demandes, run by the Huey worker."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services.brouillons import purger_brouillons_expires
from .services.evenements import purger_evenements


@db_periodic_task(crontab(hour="3", minute="15"))
def purger_saisies_expirees() -> int:
    """Every night, the registrations in progress untouched for `DUREE_BROUILLON` are erased:
    they hold personal data (the NIR included) that no demande needs any more."""
    return purger_brouillons_expires()


@db_periodic_task(crontab(hour="3", minute="45"))
def purger_flux_evenements() -> int:
    """Every night, the change-feed events older than 13 months are erased
    (`services.evenements.DUREE_CONSERVATION`, docs/adr/0013-flux-des-evenements.md)."""
    return purger_evenements()
