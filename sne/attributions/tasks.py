"""The cotation's background work: a département recomputed after its grid is published, and
every night (seniority grows by the month); one demande after it changes."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from sne.demandes.models import Demande

from . import services_cotation
from .models import GrilleCotation


@db_task(retries=3, retry_delay=60)
def recalculer_cotations(departement: str) -> int:
    return services_cotation.recalculer_departement(departement)


@db_task(retries=3, retry_delay=30)
def coter_demande(demande_id: int) -> None:
    demande = Demande.objects.filter(pk=demande_id).first()
    if demande is not None:
        services_cotation.coter(demande)


@db_periodic_task(crontab(hour="2", minute="30"))
def recalculer_toutes_les_cotations() -> int:
    departements = GrilleCotation.objects.values_list("departement_id", flat=True).distinct()
    return sum(services_cotation.recalculer_departement(d) for d in departements)
