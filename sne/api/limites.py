"""Throttling per token (429 with `Retry-After`), in the shared cache (Redis in production).

A fixed window: at most `SNE_API_REQUETES_PAR_FENETRE` requests per token in each window of
`SNE_API_FENETRE_SECONDES` seconds, counted by an atomic `incr` (one write per request, no
read-modify-write race between workers); `Retry-After` is the time left until the window
ends, when the counter starts again. Simpler than a sliding window and exact about when a
client may retry; a client may send up to twice the limit across a window boundary, which the
limit is sized for. Requests without a token (health, referentials) are not counted here.
"""

import math
import threading
import time

from django.conf import settings
from django.core.cache import cache
from ninja.throttling import BaseThrottle


class DebitParJeton(BaseThrottle):
    def __init__(self):
        # One instance serves every request: what `wait()` answers is kept per thread.
        self._local = threading.local()

    def allow_request(self, request) -> bool:
        jeton = getattr(request, "auth", None)
        self._local.attente = None
        if jeton is None or not hasattr(jeton, "pk"):
            return True
        limite = settings.SNE_API_REQUETES_PAR_FENETRE
        fenetre = settings.SNE_API_FENETRE_SECONDES
        maintenant = time.time()
        numero = int(maintenant // fenetre)
        cle = f"api:debit:{jeton.pk}:{numero}"
        cache.add(cle, 0, timeout=fenetre + 1)
        try:
            compte = cache.incr(cle)
        except ValueError:  # expired between add and incr
            cache.set(cle, 1, timeout=fenetre + 1)
            compte = 1
        if compte <= limite:
            return True
        self._local.attente = max(1, math.ceil((numero + 1) * fenetre - maintenant))
        return False

    def wait(self):
        return getattr(self._local, "attente", None)
