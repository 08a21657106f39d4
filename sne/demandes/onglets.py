"""Tabs of the demande page offered by the apps built on the demandes app (ADR 0007).

The demandes app never imports them: an app above (notifications: the messages sent to the
applicant; later the pièces) registers a tab in its `AppConfig.ready`, and the demande page
shows it after its own. A tab's `contexte(request, demande)` returns what its template reads;
it is only called when the page is shown. `apres`: the code of the tab it follows (the
pièces after « Souhaits »), at the end by default.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Onglet:
    code: str
    libelle: str
    gabarit: str
    contexte: Callable
    apres: str = ""


ONGLETS_SUPPLEMENTAIRES: list[Onglet] = []


def ranger_onglets(onglets: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The page's own tabs (code, label) with the registered ones, each after its `apres`."""
    rangees = list(onglets)
    for onglet in ONGLETS_SUPPLEMENTAIRES:
        codes = [code for code, _ in rangees]
        position = codes.index(onglet.apres) + 1 if onglet.apres in codes else len(rangees)
        rangees.insert(position, (onglet.code, onglet.libelle))
    return rangees


def ajouter_onglet(onglet: Onglet) -> None:
    """Register a tab once (an app's `ready` may run twice in tests)."""
    if all(o.code != onglet.code for o in ONGLETS_SUPPLEMENTAIRES):
        ONGLETS_SUPPLEMENTAIRES.append(onglet)
