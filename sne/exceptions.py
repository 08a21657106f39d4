"""The one family of errors a user can cause.

A service raises `ErreurMetier` (or a subclass) with a stable snake_case `code` and a French
`message` for a person. It is mapped once to a form error (web), an RFC 9457 problem document
(API, `sne/api/erreurs.py`) or a batch line result, never to a 500.
"""


class ErreurMetier(Exception):
    """A rule of the register refuses the action; the message says why and what to do."""

    statut_http = 422
    code = "erreur_metier"

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}


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
        raise ErreurMetier(" ".join(e.messages), code="donnees_invalides") from e
