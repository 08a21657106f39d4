"""Authentication of connected systems: `Authorization: Bearer <jeton>` (ADR 0012).

A valid token makes the request that of its desk's technical account (`request.user`), so
every endpoint asks the one rights layer (`droits_de(request.user)`, `visibles_par`) and writes
the audit log as for an agent; `request.auth` is the `JetonApi` (its desk: `request.auth.guichet`).
A missing, unknown or revoked token gets the 401 problem document `jeton_invalide`
(`erreurs.py`).
"""

from ninja.security import HttpBearer

from sne.comptes.jetons import jeton_valide


def jeton_de(request, en_clair: str):
    """The valid token of this text, looked up once per request: the idempotence middleware
    asks first (a POST with `Idempotency-Key`), then ninja's authentication (bench/api.py:
    one query less per registration)."""
    deja = getattr(request, "_jeton_sne", None)
    if deja is not None and deja[0] == en_clair:
        return deja[1]
    jeton = jeton_valide(en_clair)
    request._jeton_sne = (en_clair, jeton)
    return jeton


class JetonGuichet(HttpBearer):
    """The token of a desk, checked against the stored SHA-256 (`sne.comptes.jetons`)."""

    def authenticate(self, request, token):
        jeton = jeton_de(request, token.strip())
        if jeton is None:
            return None
        request.user = jeton.guichet.compte_systeme
        return jeton
