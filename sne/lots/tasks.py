"""The lots' processing by the Huey worker (`services.traiter_lot`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


# Before the attestations its lines announce (priority 0): a lot's progress is what its sender
# watches; the attestations follow in the queue (RedisHuey and SqliteHuey honour priorities).
@db_task(priority=10)
def traiter_lot_tache(lot_id: str, bail: str = "") -> None:
    """One run: chunks for up to `services.DUREE_TACHE_SECONDES`, then the task queues itself
    again (with its lease) while lines remain, so that a long lot never holds a worker for
    long and the other tasks interleave."""
    bail = services.traiter_lot(lot_id, bail)
    if bail:
        traiter_lot_tache(lot_id, bail)


@db_periodic_task(crontab(minute="*"))
def reprendre_lots_interrompus() -> list:
    """Every minute: a lot whose worker was stopped (its lease expired after
    `services.DUREE_BAIL`) or that was never started is queued again; it resumes at its first
    line without a result."""
    return services.reprendre_lots_interrompus()
