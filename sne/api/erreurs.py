"""Every API error is an RFC 9457 problem document, mapped here once.

`code` is stable and snake_case (integrators branch on it), `detail` is French for a person.
Pydantic's messages in French (`MESSAGES_PYDANTIC`, kept here for the endpoints that import it)
live in `sne.exceptions`, shared with the batch lots' line results. Nothing a client can send
produces a 500: unexpected errors are logged (without the request
body, which may hold personal data) and answered as a problem document too.
"""

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from django.http.request import RawPostDataException
from ninja import Field, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from sne.exceptions import MESSAGES_PYDANTIC, ErreurMetier, erreurs_de_validation  # noqa: F401

from .corps import type_non_accepte

logger = logging.getLogger(__name__)

TITRES = {
    400: "Requête invalide",
    401: "Authentification requise",
    403: "Action non autorisée",
    404: "Ressource introuvable",
    405: "Méthode non autorisée",
    409: "Conflit",
    411: "Longueur requise",
    413: "Requête trop volumineuse",
    415: "Type de contenu non accepté",
    422: "Données invalides",
    429: "Trop de requêtes",
    500: "Erreur interne",
    503: "Service indisponible",
}


class ErreurDeChamp(Schema):
    champ: str = Field(
        title="Champ", description="Chemin du champ refusé, par exemple `demandeur.nom` ou `q`"
    )
    code: str = Field(title="Code", description="Raison technique du refus (`missing`…)")
    message: str = Field(title="Message", description="Explication en français")


class Probleme(Schema):
    """Document d'erreur RFC 9457 (`application/problem+json`), le même pour toute l'API."""

    type: str = Field(
        title="Type", description="Adresse qui identifie le problème : `…/problemes/<code>`"
    )
    title: str = Field(title="Intitulé", description="Intitulé du statut HTTP, en français")
    status: int = Field(title="Statut", description="Statut HTTP de la réponse")
    code: str = Field(
        title="Code",
        description="Code stable en snake_case : c'est sur lui qu'un système s'appuie",
    )
    detail: str = Field(title="Détail", description="Explication en français, pour une personne")
    erreurs: list[ErreurDeChamp] | None = Field(
        None, title="Erreurs", description="Pour 422 : chaque champ refusé et pourquoi"
    )


def probleme(status: int, code: str, detail: str, **extra) -> JsonResponse:
    corps = {
        "type": f"https://sne.example.fr/problemes/{code}",
        "title": TITRES.get(status, "Erreur"),
        "status": status,
        "code": code,
        "detail": detail,
        **extra,
    }
    return JsonResponse(
        corps,
        status=status,
        content_type="application/problem+json",
        json_dumps_params={"ensure_ascii": False},
    )


def jeton_invalide(request) -> JsonResponse:
    """401 for a missing, unknown or revoked token (RFC 6750: `WWW-Authenticate: Bearer`)."""
    schema, _, jeton = request.headers.get("Authorization", "").strip().partition(" ")
    if schema.lower() == "bearer" and jeton.strip():
        detail = (
            "Ce jeton d'accès est inconnu ou révoqué : demandez-en un nouveau au gestionnaire "
            "territorial de votre guichet."
        )
        defi = 'Bearer realm="sne", error="invalid_token"'
    else:
        detail = (
            "Jeton d'accès absent : envoyez l'en-tête « Authorization: Bearer <jeton> » avec "
            "le jeton de votre guichet."
        )
        defi = 'Bearer realm="sne"'
    reponse = probleme(401, "jeton_invalide", detail)
    reponse["WWW-Authenticate"] = defi
    return reponse


def corps_trop_volumineux(limite: int | None = None) -> JsonResponse:
    """413 for a body above `limite` bytes (by default the API's general limit)."""
    from django.conf import settings

    limite = limite or settings.SNE_API_TAILLE_MAX_CORPS
    taille = f"{limite // 1024} Kio" if limite < 10 * 1024 * 1024 else f"{limite // 2**20} Mio"
    return probleme(
        413,
        "corps_trop_volumineux",
        f"Le corps de la requête dépasse {taille} : envoyez moins de données à la fois.",
    )


def installer(api) -> None:
    @api.exception_handler(ErreurMetier)
    def erreur_metier(request, exc: ErreurMetier):
        details = dict(exc.details)
        if exc.champ and "erreurs" not in details:
            details["erreurs"] = [exc.en_erreur()]  # the field at fault, as for a 422
        return probleme(exc.statut_http, exc.code, exc.message, **details)

    @api.exception_handler(ValidationError)
    def validation(request, exc: ValidationError):
        erreurs = erreurs_de_validation(exc.errors)
        return probleme(
            422, "donnees_invalides", "Certaines données sont invalides.", erreurs=erreurs
        )

    @api.exception_handler(AuthenticationError)
    def authentification(request, exc):
        return jeton_invalide(request)

    @api.exception_handler(Throttled)
    def trop_de_requetes(request, exc: Throttled):
        # ninja adds `Retry-After` (whole seconds) to this response.
        return probleme(
            429,
            "trop_de_requetes",
            "Trop de requêtes avec ce jeton : attendez le nombre de secondes indiqué par "
            "l'en-tête Retry-After avant de réessayer.",
        )

    @api.exception_handler(RequestDataTooBig)
    def trop_volumineuse(request, exc):
        return corps_trop_volumineux()

    @api.exception_handler(SuspiciousOperation)
    def requete_suspecte(request, exc):
        return probleme(400, "requete_invalide", "La requête est mal formée.")

    @api.exception_handler(Http404)
    def introuvable(request, exc):
        return probleme(404, "introuvable", "La ressource demandée est introuvable.")

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        # ninja wraps what the body's parser raises (`corps.py`): its refusal, in French.
        if isinstance(exc.__cause__, ErreurMetier):
            return erreur_metier(request, exc.__cause__)
        # ninja's own messages are English: the status said in French instead.
        return probleme(
            exc.status_code, "requete_invalide", TITRES.get(exc.status_code, "Erreur") + "."
        )

    @api.exception_handler(RawPostDataException)
    def corps_deja_lu(request, exc):
        # A multipart body was read as a form (and its NUL characters checked) by
        # `sne.middleware` before an endpoint that expects JSON asked for it.
        return erreur_metier(request, type_non_accepte(request.content_type or ""))

    @api.exception_handler(Exception)
    def inattendue(request, exc):
        logger.exception("Erreur inattendue sur %s %s", request.method, request.path)
        return probleme(
            500,
            "erreur_interne",
            "Une erreur inattendue est survenue ; rien n'a été enregistré. Réessayez plus tard.",
        )
