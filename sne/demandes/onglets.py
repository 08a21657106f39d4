"""Tabs of the demande page offered by the apps built on the demandes app (ADR 0007).

The demandes app never imports them: an app above (notifications: the messages sent to the
applicant; later the pièces) registers a tab in its `AppConfig.ready`, and the demande page
shows it after its own. A tab's `contexte(request, demande)` returns what its template reads;
it is only called when the page is shown.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Onglet:
    code: str
    libelle: str
    gabarit: str
    contexte: Callable


ONGLETS_SUPPLEMENTAIRES: list[Onglet] = []


def ajouter_onglet(onglet: Onglet) -> None:
    """Register a tab once (an app's `ready` may run twice in tests)."""
    if all(o.code != onglet.code for o in ONGLETS_SUPPLEMENTAIRES):
        ONGLETS_SUPPLEMENTAIRES.append(onglet)
