"""The attestations follow the demande's life: its services announce a registration, a
renewal or a separation (`sne.demandes.signaux`) once committed; the Huey worker then builds,
keeps and sends the attestation (retried if the mail server or the rendering fails)."""

from django.dispatch import receiver
from huey.contrib.djhuey import db_task

from sne.demandes.signaux import demande_enregistree, demande_renouvelee, demande_separee

from . import services
from .models import Attestation


@db_task(retries=5, retry_delay=60)
def produire_et_envoyer_attestation(demande_id: int, type_: str) -> None:
    services.produire_et_envoyer(demande_id, type_)


@db_task(retries=5, retry_delay=60)
def informer_separation(demande_id: int, nouvelle_id: int) -> None:
    services.informer_separation(demande_id, nouvelle_id)


@receiver(demande_enregistree, dispatch_uid="attestation_d_enregistrement")
def attestation_d_enregistrement(sender, demande_id: int, **kwargs) -> None:
    produire_et_envoyer_attestation(demande_id, Attestation.Type.ENREGISTREMENT)


@receiver(demande_renouvelee, dispatch_uid="attestation_de_renouvellement")
def attestation_de_renouvellement(sender, demande_id: int, **kwargs) -> None:
    produire_et_envoyer_attestation(demande_id, Attestation.Type.RENOUVELLEMENT)


@receiver(demande_separee, dispatch_uid="separation_annoncee")
def separation_annoncee(sender, demande_id: int, nouvelle_id: int, **kwargs) -> None:
    informer_separation(demande_id, nouvelle_id)
