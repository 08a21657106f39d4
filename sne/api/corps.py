"""The JSON body of an endpoint, read once for the whole API (`ApiSne(parser=CorpsJson())`).

ninja's parser reads any body as JSON whatever its `Content-Type`, and answers anything it
cannot read with the English « Cannot parse request body ». Here:

- a body that is not declared JSON (`application/json` or `…+json`, such as
  `application/merge-patch+json`) is refused with 415 `type_de_contenu_non_accepte`: a system
  that sends a form (`curl -d` without `-H "Content-Type: application/json"`) learns what to
  send instead of seeing its fields ignored;
- a body that is not an object (a list, a text, `null`) is refused with 422
  `donnees_invalides`, as a field would be;
- JSON that cannot be read (syntax, not UTF-8 — RFC 8259 —, `NaN`/`Infinity`, which are not
  JSON, a number of thousands of digits, nesting deeper than Python's recursion) is refused
  with 400 `json_invalide` and where it stopped.

Only the endpoints that declare a JSON body call this parser; an upload (multipart) or a batch
(JSON Lines) reads its own body. The one upload, a pièce
(`POST /api/v1/demandes/{numero}/pieces`), takes only `multipart/form-data` (else
`multipart_attendu`, refused by the middleware before the body is read); ninja reads its fields
from the parsed form, never through `parse_body`. ninja wraps what `parse_body` raises in an
`HttpError(400)`: `erreurs.py` answers the `ErreurMetier` it carries.
"""

import json

from ninja.parser import Parser

from sne.exceptions import ErreurMetier


class CorpsIllisible(ErreurMetier):
    statut_http = 400
    code = "json_invalide"


class TypeDeContenuNonAccepte(ErreurMetier):
    statut_http = 415
    code = "type_de_contenu_non_accepte"


def est_du_json(type_contenu: str) -> bool:
    return type_contenu == "application/json" or (
        type_contenu.startswith("application/") and type_contenu.endswith("+json")
    )


def type_non_accepte(type_contenu: str) -> TypeDeContenuNonAccepte:
    return TypeDeContenuNonAccepte(
        "Cet appel attend un corps JSON, envoyé avec l'en-tête « Content-Type: "
        f"application/json » (reçu : « {type_contenu or 'aucun'} »)."
    )


def multipart_attendu(type_contenu: str) -> TypeDeContenuNonAccepte:
    return TypeDeContenuNonAccepte(
        "Cet appel attend un fichier envoyé en « multipart/form-data » (curl -F "
        f"fichier=@piece.pdf -F type=identite) (reçu : « {type_contenu or 'aucun'} »)."
    )


def _pas_une_constante_json(nom: str):
    raise CorpsIllisible(
        f"Le corps de la requête n'est pas un JSON valide : {nom} n'est pas du JSON."
    )


class CorpsJson(Parser):
    def parse_body(self, request):
        if not est_du_json(request.content_type or ""):
            raise type_non_accepte(request.content_type or "")
        try:
            texte = request.body.decode("utf-8-sig")  # a byte order mark is tolerated
        except UnicodeDecodeError as e:
            raise CorpsIllisible(
                "Le corps de la requête n'est pas encodé en UTF-8, le seul encodage du JSON "
                "échangé entre systèmes."
            ) from e
        try:
            donnees = json.loads(texte, parse_constant=_pas_une_constante_json)
        except json.JSONDecodeError as e:
            raise CorpsIllisible(
                f"Le corps de la requête n'est pas un JSON valide (ligne {e.lineno}, colonne "
                f"{e.colno}) : vérifiez les guillemets, les virgules et les accolades."
            ) from e
        except RecursionError as e:
            raise CorpsIllisible(
                "Le corps de la requête est imbriqué trop profondément pour être lu."
            ) from e
        except ValueError as e:  # an integer of more than 4,300 digits
            raise CorpsIllisible(
                "Le corps de la requête contient un nombre trop long pour être lu."
            ) from e
        if not isinstance(donnees, dict):
            # Every JSON body of this API is an object (a batch is JSON Lines, read apart).
            raise ErreurMetier(
                "Certaines données sont invalides.",
                code="donnees_invalides",
                details={
                    "erreurs": [
                        {
                            "champ": "",
                            "code": "objet_attendu",
                            "message": "Le corps doit être un objet JSON ({ … }), pas "
                            + NATURES_JSON.get(type(donnees), "cette valeur")
                            + ".",
                        }
                    ]
                },
            )
        return donnees


NATURES_JSON = {
    list: "une liste",
    str: "un texte",
    int: "un nombre",
    float: "un nombre",
    bool: "un booléen",
    type(None): "null",
}
