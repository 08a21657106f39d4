"""Every API error is an RFC 9457 problem document, mapped here once.

`code` is stable and snake_case (integrators branch on it), `detail` is French for a person.
Nothing a client can send produces a 500: unexpected errors are logged (without the request
body, which may hold personal data) and answered as a problem document too.
"""

import logging
import typing

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from django.http.request import RawPostDataException
from ninja import Field, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from pydantic_core.core_schema import ErrorType

from sne.exceptions import ErreurMetier

from .corps import type_non_accepte

logger = logging.getLogger(__name__)

TITRES = {
    400: "Requête invalide",
    401: "Authentification requise",
    403: "Action non autorisée",
    404: "Ressource introuvable",
    405: "Méthode non autorisée",
    409: "Conflit",
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


def corps_trop_volumineux() -> JsonResponse:
    from django.conf import settings

    limite = settings.SNE_API_TAILLE_MAX_CORPS
    return probleme(
        413,
        "corps_trop_volumineux",
        f"Le corps de la requête dépasse {limite // 1024} Kio : envoyez moins de données à la "
        "fois.",
    )


def _champ(loc) -> str:
    # ninja reports ("query", "q") or ("body", <parameter>, "demandeur", "nom"): keep the data
    # path, without the endpoint's parameter name (an implementation detail).
    loc = [str(p) for p in loc]
    if loc[:1] == ["body"]:
        loc = loc[2:]
    elif loc[:1] and loc[0] in ("query", "path", "header", "form"):
        loc = loc[1:]
    return ".".join(loc)


MESSAGES_PYDANTIC = {
    "missing": "Ce champ est obligatoire.",
    "string_too_short": "Ce champ est trop court.",
    "string_too_long": "Ce champ est trop long.",
    "string_type": "Une chaîne de caractères est attendue.",
    "int_parsing": "Un nombre entier est attendu.",
    "date_from_datetime_parsing": "Une date au format AAAA-MM-JJ est attendue.",
    "date_parsing": "Une date au format AAAA-MM-JJ est attendue.",
    "json_invalid": "Le corps de la requête n'est pas un JSON valide.",
    "literal_error": "Valeur non reconnue.",
    "enum": "Valeur non reconnue.",
    "extra_forbidden": "Ce champ n'existe pas ici (ou ne se modifie pas ainsi).",
    "bool_parsing": "Une valeur vrai ou faux (true, false) est attendue.",
    "bool_type": "Une valeur vrai ou faux (true, false) est attendue.",
    "decimal_parsing": "Un nombre est attendu.",
    "float_parsing": "Un nombre est attendu.",
    "int_type": "Un nombre entier est attendu.",
    "list_type": "Une liste est attendue.",
    "dict_type": "Un objet JSON est attendu.",
    "model_type": "Un objet JSON est attendu.",
    "model_attributes_type": "Un objet JSON est attendu.",
    "greater_than_equal": "La valeur est trop petite.",
    "less_than_equal": "La valeur est trop grande.",
    "too_long": "Trop d'éléments.",
    "string_pattern_mismatch": "Le format n'est pas celui attendu.",
    "date_from_datetime_inexact": "Une date au format AAAA-MM-JJ est attendue.",
    "date_type": "Une date au format AAAA-MM-JJ est attendue.",
    "string_unicode": "Ce texte contient un caractère invalide (un demi-caractère Unicode seul).",
    "finite_number": "Un nombre fini est attendu.",
    "int_parsing_size": "Ce nombre est trop grand.",
    "int_from_float": "Un nombre entier est attendu.",
}


ERREURS_PYDANTIC = frozenset(typing.get_args(ErrorType))


def message_francais(erreur: dict) -> str:
    """A pydantic error said in French: ours (`value_error` raised by the schemas'
    validators, custom ones such as `telephone_invalide`) are already French; pydantic's own
    are translated, or said generically rather than in English."""
    type_ = erreur.get("type", "")
    message = erreur.get("msg", "")
    if type_ == "missing" and erreur.get("loc", ())[:1] == ("body",) and len(erreur["loc"]) <= 2:
        return "Le corps de la requête est vide : un objet JSON est attendu."
    if type_ in MESSAGES_PYDANTIC:
        return MESSAGES_PYDANTIC[type_]
    if type_ == "value_error":
        return message.removeprefix("Value error, ")
    if type_ in ERREURS_PYDANTIC:
        return "Valeur invalide."
    return message or "Valeur invalide."


def installer(api) -> None:
    @api.exception_handler(ErreurMetier)
    def erreur_metier(request, exc: ErreurMetier):
        details = dict(exc.details)
        if exc.champ and "erreurs" not in details:
            details["erreurs"] = [exc.en_erreur()]  # the field at fault, as for a 422
        return probleme(exc.statut_http, exc.code, exc.message, **details)

    @api.exception_handler(ValidationError)
    def validation(request, exc: ValidationError):
        erreurs = [
            {
                "champ": _champ(e.get("loc", ())),
                "code": e.get("type", "invalide"),
                "message": message_francais(e),
            }
            for e in exc.errors
        ]
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
