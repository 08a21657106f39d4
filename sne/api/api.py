"""The HTTP API v1 for connected systems (../docs/api.md, contract in API-CONTRACT.md)."""

from ninja import NinjaAPI

from sne.referentiels.api import router as referentiels

from . import erreurs
from .sante import router as sante

api = NinjaAPI(
    title="SNE — API v1 des systèmes connectés",
    version="1",
    description=(
        "API du Système National d'Enregistrement des demandes de logement social. "
        "Toutes les erreurs sont des documents `application/problem+json` (RFC 9457) "
        "avec un `code` stable et un `detail` en français."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
erreurs.installer(api)
api.add_router("", sante)
api.add_router("/referentiels", referentiels)
