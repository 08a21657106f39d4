"""Health of the service: the database first, then the parts that can be degraded."""

from django.conf import settings
from django.db import connection
from ninja import Field, Router, Schema, Status

router = Router(tags=["Santé"])


class Sante(Schema):
    statut: str = Field(
        title="Statut", description="`ok`, `degrade` (une partie ne va pas) ou `indisponible`"
    )
    composants: dict[str, str] = Field(
        title="Composants",
        description="L'état de chaque partie : `base_de_donnees`, `referentiels`, "
        "`file_de_taches`, `stockage`, `antivirus` (`ok`, `indisponible`, `non_charges` ; "
        "`en_retard` pour l'antivirus quand des pièces attendent leur analyse depuis plus de "
        "30 minutes)",
    )


def _base_de_donnees() -> str:
    try:
        with connection.cursor() as curseur:
            curseur.execute("SELECT 1")
            curseur.fetchone()
        return "ok"
    except Exception:
        return "indisponible"


def _referentiels() -> str:
    from sne.referentiels.models import Commune

    try:
        return "ok" if Commune.objects.exists() else "non_charges"
    except Exception:
        return "indisponible"


def _file_de_taches() -> str:
    from huey.contrib.djhuey import HUEY

    try:
        HUEY.pending_count()
        return "ok"
    except Exception:
        return "indisponible"


def _stockage() -> str:
    racine = settings.MEDIA_ROOT
    try:
        racine.mkdir(parents=True, exist_ok=True)
        temoin = racine / ".sante"
        temoin.write_text("ok")
        temoin.unlink()
        return "ok"
    except OSError:
        return "indisponible"


def _antivirus() -> str:
    """ClamAV answers, and no pièce has been waiting for it for more than 30 minutes."""
    from sne.pieces import antivirus, services

    if not antivirus.disponible():
        return "indisponible"
    try:
        return "en_retard" if services.pieces_en_attente_depuis(minutes=30) else "ok"
    except Exception:
        return "indisponible"


@router.get(
    "/sante",
    response={200: Sante, 503: Sante},
    summary="État du service",
    description="`statut` vaut `ok` quand la base répond ; `composants` dit quelles parties ne "
    "sont pas `ok`. 503 quand la base ne répond pas.",
    auth=None,
)
def sante(request):
    composants = {"base_de_donnees": _base_de_donnees()}
    if composants["base_de_donnees"] != "ok":
        return Status(503, {"statut": "indisponible", "composants": composants})
    composants["referentiels"] = _referentiels()
    composants["file_de_taches"] = _file_de_taches()
    composants["stockage"] = _stockage()
    composants["antivirus"] = _antivirus()
    statut = "ok" if all(v == "ok" for v in composants.values()) else "degrade"
    return Status(200, {"statut": statut, "composants": composants})
