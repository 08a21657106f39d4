"""The HTTP API v1 for connected systems (../docs/api.md, contract in API-CONTRACT.md)."""

from http import HTTPStatus

from ninja import NinjaAPI, Swagger

from sne.demandes import numero
from sne.referentiels.api import router as referentiels

from . import descriptions, erreurs
from .actions import router as actions
from .attributions import router as attributions
from .auth import JetonGuichet
from .corps import CorpsJson
from .demandes import router as demandes
from .evenements import router as evenements
from .limites import DebitParJeton
from .lots import router as lots
from .moi import router as moi
from .numeriseur import router as numeriseur
from .pieces import router as pieces
from .sante import router as sante


class DocumentationEnFrancais(Swagger):
    """Swagger UI served from the site's own static files (no CDN), in a page in French
    (`lang="fr"`, title and description): sne/templates/api/documentation.html."""

    template = "api/documentation.html"


class ApiSne(NinjaAPI):
    """The OpenAPI description in French. ninja names each response by the English HTTP phrase
    (« OK », « Service Unavailable ») and knows nothing of the errors that `erreurs.py` answers
    for every endpoint: each error is described here as what it is, an RFC 9457
    `application/problem+json` document (schema `Probleme`); an endpoint may name its own
    errors (`openapi_extra={"responses": {"404": {"description": "…"}}}`)."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        composants = schema.setdefault("components", {}).setdefault("schemas", {})
        probleme = erreurs.Probleme.model_json_schema(ref_template="#/components/schemas/{model}")
        composants.update(probleme.pop("$defs", {}))
        composants["Probleme"] = probleme
        descriptions.completer(composants)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for parametre in operation.get("parameters", []):
                    texte = descriptions.decrire("", parametre["name"])
                    if texte and not parametre.get("description"):
                        parametre["description"] = texte[1]
                        parametre["schema"]["title"] = texte[0]
                    if parametre["in"] == "path" and parametre["name"] in MOTIFS_DES_CHEMINS:
                        parametre["schema"].setdefault(
                            "pattern", MOTIFS_DES_CHEMINS[parametre["name"]]
                        )
                reponses = {str(statut): r for statut, r in operation["responses"].items()}
                # Any request may hold a NUL character or be malformed (sne/middleware.py).
                reponses.setdefault("400", {})
                if any(p["in"] == "path" for p in operation.get("parameters", [])):
                    reponses.setdefault("404", {})  # nothing (visible) at that address
                if operation.get("parameters") or operation.get("requestBody"):
                    reponses.setdefault("422", {})
                if operation.get("requestBody"):  # refused from its Content-Length (middleware)
                    reponses.setdefault("413", {})
                    if "application/json" in operation["requestBody"].get("content", {}):
                        reponses.setdefault("415", {})  # not JSON (corps.py)
                if operation.get("security"):  # a token: refused (401) or throttled (429)
                    reponses.setdefault("401", {})
                    reponses.setdefault("429", {})
                reponses.setdefault("500", {})
                operation["responses"] = {
                    statut: _en_francais(int(statut), reponse)
                    for statut, reponse in sorted(reponses.items())
                }
        return schema


# The form of the path's identifiers, published for every endpoint that has one; the endpoint
# checks it itself, to answer its own code (`numero_unique_longueur`, `…_forme`, `…_mois`)
# and the visible numéros one typing error away.
MOTIFS_DES_CHEMINS = {"numero_unique": numero.MOTIF}


def _en_francais(statut: int, reponse: dict) -> dict:
    description = reponse.get("description")
    if not description or description == HTTPStatus(statut).phrase:
        reponse["description"] = DESCRIPTIONS_REPONSES.get(
            statut, erreurs.TITRES.get(statut, "Erreur")
        )
    if statut >= 400 and not reponse.get("content"):
        reponse["content"] = {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Probleme"}}
        }
    return reponse


DESCRIPTIONS_REPONSES = {
    200: "Réponse",
    201: "Créé",
    204: "Sans contenu",
    400: "Requête invalide : un caractère nul (`caractere_nul`), un corps qui n'est pas du JSON "
    "lisible (`json_invalide`) ou une requête mal formée (`requete_invalide`)",
    401: "Jeton d'accès absent, inconnu ou révoqué (`jeton_invalide`)",
    403: "Action non autorisée",
    404: "Introuvable",
    422: "Données invalides : `erreurs` dit quels champs et pourquoi",
    413: "Corps de la requête trop volumineux (`corps_trop_volumineux`)",
    415: "Type de contenu non accepté (`type_de_contenu_non_accepte`) : un corps JSON se "
    "déclare `Content-Type: application/json`, un lot `application/x-ndjson`, une pièce "
    "`multipart/form-data`",
    429: "Trop de requêtes avec ce jeton : réessayer après `Retry-After` secondes",
    500: "Erreur inattendue : rien n'a été enregistré",
    503: "Service indisponible",
}

api = ApiSne(
    title="SNE — API v1 des systèmes connectés",
    version="1",
    description=(
        "API du Système National d'Enregistrement des demandes de logement social. "
        "Toutes les erreurs sont des documents `application/problem+json` (RFC 9457) "
        "avec un `code` stable et un `detail` en français."
    ),
    openapi_extra={
        "tags": [
            {
                "name": "Authentification",
                "description": "Chaque appel, sauf la santé et les référentiels, porte "
                "l'en-tête `Authorization: Bearer <jeton>` : le jeton d'un guichet, créé par son "
                "gestionnaire territorial ou par `python manage.py jeton_api <code_guichet>`.",
            },
            {"name": "Santé", "description": "L'état du service, pour la supervision."},
            {
                "name": "Demandes",
                "description": "Enregistrer, lire (copie numérique), modifier une demande ; "
                "rechercher les doublons d'une personne.",
            },
            {
                "name": "Cycle de vie",
                "description": "Renouveler, radier, réactiver une demande, la dupliquer pour "
                "une séparation, lire sa dernière attestation.",
            },
            {
                "name": "Pièces justificatives",
                "description": "Le dossier unique : lister les pièces d'une demande, en "
                "ajouter une (`multipart/form-data`), lire leur fichier.",
            },
            {
                "name": "Référentiels",
                "description": "Communes et codes postaux : retrouver une commune comme une "
                "personne l'a saisie.",
            },
        ]
    },
    urls_namespace="api-v1",
    parser=CorpsJson(),
    # Every endpoint needs a desk's token unless it says `auth=None` (secure by default);
    # throttled per token.
    auth=JetonGuichet(),
    throttle=[DebitParJeton()],
    docs=DocumentationEnFrancais(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
erreurs.installer(api)
api.add_router("", sante)
api.add_router("", moi)
api.add_router("", demandes)
api.add_router("", evenements)
api.add_router("", actions)
api.add_router("", lots)
api.add_router("", pieces)
api.add_router("", numeriseur)
api.add_router("", attributions)
# Public data (the COG and La Poste's open files): no token, as the health check (ADR 0012).
api.add_router("/referentiels", referentiels, auth=None)
