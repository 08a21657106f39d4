"""What the statistics page of a territory shows, kept in the cache (ADR 0026).

A snapshot never changes (models.py): the tables read from it (`lecture.tous_les_tableaux`)
and the page's body drawn from them (key figures, charts, tables, export links) are the same
for every reader of a territory until the next night, and so are the files of its exports.
So they are computed once, kept in the cache shared by every process (Redis in production),
and computed ahead by the night's task right after the snapshot (`prechauffer`): the first
gestionnaire of the morning does not pay for them either. A page then costs its session, its
rights and two cache reads. A cache that fails (Redis unreachable) never fails the page: it
is computed, as without a cache, and the failure logged.

The key names the snapshot (its day and its primary key: a snapshot taken again after a
restore is another one), the territory and the version of the code that draws it
(`VERSION`: a digest of the modules and templates below, so that a deployment that changes a
table or a chart never serves the previous one). Nothing personal is cached: the body holds
counts and links that depend on the territory only. Entries expire after `DUREE`, by which
time a newer snapshot has replaced them as the latest."""

import hashlib
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from sne.referentiels.models import Departement

from . import exports, lecture
from .graphiques import graphique
from .models import FRANCE, Instantane

logger = logging.getLogger(__name__)

# The communes of a large département (Nord: 648) and the EPCI of France (1 255) are listed
# in full in the export only.
COMMUNES_MONTREES = 30
DUREE = 2 * 24 * 3600
_ICI = Path(__file__).resolve().parent
_SOURCES = (
    "lecture.py",
    "exports.py",
    "graphiques.py",
    "pages.py",
    "templates/statistiques/_corps.html",
    "templates/statistiques/_tableau.html",
    "templates/statistiques/_graphique.html",
)
VERSION = hashlib.sha256(b"".join((_ICI / s).read_bytes() for s in _SOURCES)).hexdigest()[:12]


@dataclass(frozen=True)
class Repere:
    """The snapshot a page reads: its day, and its key."""

    jour: date
    pk: int


def dernier_instantane() -> Repere | None:
    ligne = Instantane.objects.order_by("-jour").values_list("jour", "pk").first()
    return Repere(*ligne) if ligne else None


def _cle(quoi: str, instantane: Repere, territoire: str) -> str:
    territoire = territoire or "france"
    return f"statistiques:{VERSION}:{quoi}:{instantane.pk}:{instantane.jour:%Y%m%d}:{territoire}"


def _lire(cle: str):
    try:
        return cache.get(cle)
    except Exception:  # the cache is a help, never a cause of failure
        logger.warning("Cache des statistiques illisible (%s) : page calculée", cle, exc_info=True)
        return None


def _garder(cle: str, valeur) -> None:
    try:
        cache.set(cle, valeur, DUREE)
    except Exception:
        logger.warning("Cache des statistiques non écrit (%s)", cle, exc_info=True)


def tableaux(instantane: Repere, territoire: str) -> tuple[dict, list[lecture.Tableau]]:
    """(key figures, tables) of a territory on the snapshot's day: what the page shows and
    each export writes."""
    cle = _cle("tableaux", instantane, territoire)
    lu = _lire(cle)
    if lu is None:
        jour = instantane.jour
        lu = (lecture.chiffres_cles(jour, territoire), lecture.tous_les_tableaux(jour, territoire))
        _garder(cle, lu)
    return lu


def corps(instantane: Repere, territoire: str) -> str:
    """The page's body (key figures, then each table with its chart and export links)."""
    cle = _cle("corps", instantane, territoire)
    html = _lire(cle)
    if html is None:
        chiffres, lus = tableaux(instantane, territoire)
        for tableau in lus:
            tableau.graphique = graphique(tableau)
            tableau.lignes_montrees = (
                tableau.lignes[:COMMUNES_MONTREES]
                if tableau.code in ("communes", "epci")
                else tableau.lignes
            )
        html = render_to_string(
            "statistiques/_corps.html",
            {"jour": instantane.jour, "code": territoire, "chiffres": chiffres, "tableaux": lus},
        )
        _garder(cle, str(html))
    # Drawn by our template (autoescaped) from counts and labels of the code.
    return mark_safe(html)


def fichier(instantane: Repere, territoire: str, tableau, format_: str, titre: str) -> bytes:
    """The CSV or XLSX file of one of the page's tables (the same for every reader: who
    exported it is written to the audit log by the view, each time)."""
    cle = _cle(f"fichier-{tableau.code}-{format_}", instantane, territoire)
    contenu = _lire(cle)
    if contenu is None:
        contenu = exports.contenu(tableau, format_, titre)
        _garder(cle, contenu)
    return contenu


def prechauffer(instantane: Instantane) -> int:
    """The night's task, after the snapshot: every territory's body drawn and cached (France
    and each département, ~10 ms each). Returns the number of territories."""
    repere = Repere(instantane.jour, instantane.pk)
    territoires = [FRANCE, *Departement.objects.values_list("code", flat=True)]
    for territoire in territoires:
        corps(repere, territoire)
    return len(territoires)
