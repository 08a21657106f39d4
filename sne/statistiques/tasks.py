"""The nightly snapshot: yesterday's figures, taken at 1:15 (after midnight's last changes,
before the night's recomputations of the cotation at 2:30), every territory's page drawn
ahead into the cache, and the month's open-data file."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import donnees_ouvertes, pages, services


@db_periodic_task(crontab(hour="1", minute="15"), retries=2, retry_delay=600)
def prendre_instantane_de_la_veille() -> int:
    """Yesterday's snapshot, its pages drawn into the cache, then the open-data file of its
    month (from that day)."""
    instantane = services.prendre_instantane()
    pages.prechauffer(instantane)
    donnees_ouvertes.publier_mois(instantane.jour)
    return instantane.pk
