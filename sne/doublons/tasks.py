"""The stock audit of duplicates, run by the Huey worker (`audit.lancer_audit` enqueues it
after commit). Tasks never call back into services."""

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .models import AuditDoublons
from .parcours import parcourir

# An audit that has not moved for this long lost its worker (killed, restarted): resume it.
SANS_NOUVELLES = timedelta(minutes=10)


@db_task(retries=3, retry_delay=60)
def executer_audit(audit_id: int) -> None:
    parcourir(audit_id)


@db_periodic_task(crontab(minute="*/10"))
def reprendre_audits_interrompus() -> None:
    """Resume the audits whose worker was killed: from their first row not done."""
    limite = timezone.now() - SANS_NOUVELLES
    for audit_id in AuditDoublons.objects.filter(
        statut__in=[AuditDoublons.Statut.EN_ATTENTE, AuditDoublons.Statut.EN_COURS],
        avance_le__lt=limite,
    ).values_list("pk", flat=True):
        executer_audit(audit_id)
