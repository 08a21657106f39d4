"""The cotation's background work: a département recomputed after its grid is published, and
every night (seniority grows by the month); one demande after it changes."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from sne.demandes.models import Demande
from sne.referentiels.models import Departement

from . import services_cotation


@db_task(retries=3, retry_delay=60)
def recalculer_cotations(departement: str) -> int:
    return services_cotation.recalculer_departement(departement)


@db_task(retries=3, retry_delay=30)
def coter_demande(demande_id: int) -> None:
    demande = Demande.objects.filter(pk=demande_id).first()
    if demande is not None:
        services_cotation.coter(demande)


@db_task(retries=3, retry_delay=30)
def retirer_des_listes(demande_ids: list[int]) -> None:
    services_cotation.retirer(demande_ids)


@db_periodic_task(crontab(hour="2", minute="30"))
def recalculer_toutes_les_cotations() -> int:
    """Every département, with a grid or not: the candidates' order covers them all."""
    departements = Departement.objects.order_by("code").values_list("code", flat=True)
    return sum(services_cotation.recalculer_departement(d) for d in departements)
