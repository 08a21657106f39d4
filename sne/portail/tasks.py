"""Periodic work of the portal, run by the Huey worker."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services_demande_en_ligne import purger_brouillons


@db_periodic_task(crontab(hour="4", minute="5"))
def purger_demandes_en_ligne_abandonnees() -> dict:
    """Every night: online applications never sent and untouched for
    `SNE_PORTAIL_PURGE_BROUILLON_JOURS` days are deleted with their identity document, their
    applicant told by e-mail `SNE_PORTAIL_PREAVIS_PURGE_JOURS` days before; the attempts older
    than a day go too (`services_demande_en_ligne.purger_brouillons`)."""
    return purger_brouillons()
