"""The one family of errors a user can cause.

A service raises `ErreurMetier` (or a subclass) with a stable snake_case `code` and a French
`message` for a person, and `champ` when it concerns one entry field (dotted path, as in the
API's schemas: « demandeur.adresse », « sous_motif »). It is mapped once to a form error
(web), an RFC 9457 problem document (API, `sne/api/erreurs.py`) or a batch line result, never
to a 500: on the pages, `sne.erreurs.ErreursMetierMiddleware` turns `NonAutorise`/`Introuvable`
into the 403/404 pages and `sne.formulaires.erreur_sur_formulaire` puts any other one on its
form field.
"""

import typing

from pydantic_core.core_schema import ErrorType


class ErreurMetier(Exception):
    """A rule of the register refuses the action; the message says why and what to do."""

    statut_http = 422
    code = "erreur_metier"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: dict | None = None,
        champ: str = "",
    ):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}
        self.champ = champ

    def en_erreur(self) -> dict:
        """This error as one entry of a list of errors (`details["erreurs"]`)."""
        return {"champ": self.champ, "code": self.code, "message": self.message}


class Introuvable(ErreurMetier):
    """The thing asked for does not exist, or the person may not see it."""

    statut_http = 404
    code = "introuvable"


class NonAutorise(ErreurMetier):
    """The person is known but their habilitations do not allow this action."""

    statut_http = 403
    code = "non_autorise"


def valider(objet) -> None:
    """Run a model's validation and turn its errors into one `ErreurMetier` for a person."""
    from django.core.exceptions import ValidationError

    try:
        objet.full_clean()
    except ValidationError as e:
        erreurs = [
            {"champ": champ.replace("__all__", ""), "code": "donnees_invalides", "message": m}
            for champ, messages in getattr(e, "message_dict", {}).items()
            for m in messages
        ]
        raise ErreurMetier(
            " ".join(e.messages),
            code="donnees_invalides",
            details={"erreurs": erreurs} if erreurs else None,
        ) from e


# Pydantic's error types, said in French: the API's 422 documents and the batch lines' results
# (`sne.lots`) explain a schema error the same way.
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
    if (
        type_ == "missing"
        and tuple(erreur.get("loc", ()))[:1] == ("body",)
        and len(erreur["loc"]) <= 2
    ):
        return "Le corps de la requête est vide : un objet JSON est attendu."
    if type_ in MESSAGES_PYDANTIC:
        return MESSAGES_PYDANTIC[type_]
    if type_ == "value_error":
        return message.removeprefix("Value error, ")
    if type_ in ERREURS_PYDANTIC:
        return "Valeur invalide."
    return message or "Valeur invalide."


def chemin_de_champ(loc) -> str:
    """The data path of a pydantic error's location: ninja reports ("query", "q") or
    ("body", <parameter>, "demandeur", "nom") — the endpoint's parameter name is an
    implementation detail, dropped —, a schema alone ("demandeur", "nom")."""
    parties = [str(p) for p in loc]
    if parties[:1] == ["body"]:
        parties = parties[2:]
    elif parties[:1] and parties[0] in ("query", "path", "header", "form", "cookie"):
        parties = parties[1:]
    return ".".join(parties)


def erreurs_de_validation(erreurs) -> list[dict]:
    """Pydantic's (or ninja's) errors as a list of `{champ, code, message}` in French."""
    return [
        {
            "champ": chemin_de_champ(e.get("loc", ())),
            "code": e.get("type", "invalide"),
            "message": message_francais(e),
        }
        for e in erreurs
    ]
