"""Side effects of the demande's life, run by the Huey worker after commit."""

from huey.contrib.djhuey import db_task


@db_task(retries=5, retry_delay=60)
def produire_et_envoyer_attestation(demande_id: int, type_: str) -> None:
    from sne.attestations.services import produire_et_envoyer

    produire_et_envoyer(demande_id, type_)


@db_task(retries=5, retry_delay=60)
def informer_separation(demande_id: int, nouvelle_id: int) -> None:
    from sne.attestations.services import informer_separation as informer

    informer(demande_id, nouvelle_id)
