"""Authentication of connected systems: `Authorization: Bearer <jeton>` (ADR 0012).

A valid token makes the request that of its desk's technical account (`request.user`), so
every endpoint asks the one rights layer (`droits_de(request.user)`, `visibles_par`) and writes
the audit log as for an agent; `request.auth` is the `JetonApi` (its desk: `request.auth.guichet`).
A missing, unknown or revoked token gets the 401 problem document `jeton_invalide`
(`erreurs.py`).
"""

from ninja.security import HttpBearer

from sne.comptes.jetons import jeton_valide


class JetonGuichet(HttpBearer):
    """The token of a desk, checked against the stored SHA-256 (`sne.comptes.jetons`)."""

    def authenticate(self, request, token):
        jeton = jeton_valide(token.strip())
        if jeton is None:
            return None
        request.user = jeton.guichet.compte_systeme
        return jeton
