"""The notifications follow the demande's life and the calendar.

- On the demande's signals (`sne.demandes.signaux`, after the commit): the attestation
  d'enregistrement or de renouvellement is produced and sent; a renewal cancels the notices not
  yet gone; a separation tells each person.
- Every hour from 6 a.m., the day's renewal campaign if it has not ended yet (a worker that
  was down runs it as soon as it is back, and it catches up by itself).
- Every minute, the outbox: e-mails and SMS due, first or next try.
"""

from django.dispatch import receiver
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from sne.attestations.models import Attestation
from sne.demandes.signaux import demande_enregistree, demande_renouvelee, demande_separee

from . import services
from .campagne import lancer_campagne
from .models import JourneeCampagne


@db_task(retries=5, retry_delay=60)
def envoyer_attestation(demande_id: int, type_: str) -> None:
    services.envoyer_attestation(demande_id, type_)


@db_task(retries=5, retry_delay=60)
def informer_separation(demande_id: int, nouvelle_id: int) -> None:
    services.informer_separation(demande_id, nouvelle_id)


@db_task(retries=3, retry_delay=60)
def rendre_tournee(tournee_id: int) -> None:
    services.rendre_tournee(tournee_id)


@db_periodic_task(crontab(minute="*"))
@lock_task("boite-d-envoi")
def vider_boite_d_envoi() -> None:
    services.envoyer_messages_en_attente()


@db_periodic_task(crontab(hour="6-22", minute="5"))
@lock_task("campagne-de-renouvellement")
def campagne_du_jour() -> None:
    aujourd_hui = timezone.localdate()
    if JourneeCampagne.objects.filter(date=aujourd_hui, terminee_le__isnull=False).exists():
        return
    lancer_campagne(aujourd_hui)
    services.envoyer_messages_en_attente()


@receiver(demande_enregistree, dispatch_uid="attestation_d_enregistrement")
def attestation_d_enregistrement(sender, demande_id: int, **kwargs) -> None:
    envoyer_attestation(demande_id, Attestation.Type.ENREGISTREMENT)


@receiver(demande_renouvelee, dispatch_uid="attestation_de_renouvellement")
def attestation_de_renouvellement(sender, demande_id: int, **kwargs) -> None:
    services.annuler_avis_en_attente(demande_id)
    envoyer_attestation(demande_id, Attestation.Type.RENOUVELLEMENT)


@receiver(demande_separee, dispatch_uid="separation_annoncee")
def separation_annoncee(sender, demande_id: int, nouvelle_id: int, **kwargs) -> None:
    informer_separation(demande_id, nouvelle_id)
