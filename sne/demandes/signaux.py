"""What happened to a demande, for the apps above it that must react (ADR 0007).

The demandes app never imports the apps built on it (attestations, notifications, the API's
change feed): its services send these signals once the transaction is committed, and those apps
connect their receivers in their `AppConfig.ready`. Each signal carries plain identifiers.

- `demande_enregistree(demande_id)`: registered (also the new demande of a separation);
- `demande_renouvelee(demande_id)`: renewed (also a reactivation that renews it);
- `demande_separee(demande_id, nouvelle_id)`: duplicated for separation;
- `demande_modifiee(demande_id)`: changed by `modifier_demande` (its cotation follows);
- `demandes_radiees(demande_ids)`: struck off, one or a whole batch of the renewal campaign
  (they leave the cotation and the candidates' lists);
- `demande_reactivee(demande_id)`: reactivated (déradiation) without being renewed.
"""

from django.db import transaction
from django.dispatch import Signal

demande_enregistree = Signal()
demande_renouvelee = Signal()
demande_separee = Signal()
demande_modifiee = Signal()
demandes_radiees = Signal()
demande_reactivee = Signal()


def apres_validation(signal: Signal, **identifiants) -> None:
    """Send `signal` when the current transaction commits (never for a rolled-back action)."""
    transaction.on_commit(lambda: signal.send(sender=None, **identifiants))
