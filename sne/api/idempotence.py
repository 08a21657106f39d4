"""`Idempotency-Key` on every POST of the API (API-CONTRACT « Idempotency », docs/api.md).

A connected system that sends a POST with an `Idempotency-Key` header and does not get the
answer (a timeout, a cut connection) sends it again with the same key: it gets the first
answer back (`Idempotent-Replayed: true`), and nothing is done twice. The key belongs to the
token's desk; the same key with another request (method, address or body) is refused (422
`cle_idempotence_reutilisee`). Only successes (2xx) are remembered: a refused request may be
corrected and sent again with the same key.

How: the key's row (`ReponseIdempotente`) is inserted before the endpoint acts, in one
transaction with what it writes, and completed with the answer. A concurrent request with the
same key waits on the row's unique index until the first commits, then replays its answer —
so two identical requests racing each other act once. A registration without a key is
protected by its `reference_externe` (`demandes.jeton_d_enregistrement`).
"""

import hashlib

from django.db import IntegrityError, transaction

from sne.comptes.models import ReponseIdempotente

from .auth import jeton_de
from .erreurs import probleme

LONGUEUR_MAX_CLE = 200
# A lot is identified by its content (`sne.lots`); its body (up to hundreds of megabytes) is
# not read here: the fingerprint of a lot's request is its method and address.
CHEMINS_SANS_CORPS = ("/api/v1/lots",)


def _jeton(request):
    schema, _, jeton = request.headers.get("Authorization", "").strip().partition(" ")
    if schema.lower() != "bearer":
        return None
    return jeton_de(request, jeton.strip())


def _empreinte(request) -> str:
    empreinte = hashlib.sha256()
    empreinte.update(f"{request.method} {request.get_full_path()}\n".encode())
    if request.path.startswith(CHEMINS_SANS_CORPS):
        pass
    elif (request.content_type or "") == "multipart/form-data":
        _empreinte_du_formulaire(request, empreinte)
    else:
        empreinte.update(request.body)
    return empreinte.hexdigest()


def _empreinte_du_formulaire(request, empreinte) -> None:
    """A form with files (a pièce, `pieces.py`) is already parsed (`sne.middleware`), its raw
    body gone: its fields and the content of its files, in a stable order."""
    for nom, valeurs in sorted(request.POST.lists()):
        empreinte.update(repr((nom, valeurs)).encode())
    for nom, fichiers in sorted(request.FILES.lists()):
        for fichier in fichiers:
            empreinte.update(repr((nom, fichier.name)).encode())
            for morceau in fichier.chunks():
                empreinte.update(morceau)
            fichier.seek(0)


def _rejouer(ligne: ReponseIdempotente):
    from django.http import HttpResponse

    reponse = HttpResponse(bytes(ligne.corps), status=ligne.statut, content_type=ligne.type_contenu)
    if ligne.emplacement:
        reponse["Location"] = ligne.emplacement
    reponse["Idempotent-Replayed"] = "true"
    return reponse


class IdempotenceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cle = request.headers.get("Idempotency-Key")
        if request.method != "POST" or not request.path.startswith("/api/") or cle is None:
            return self.get_response(request)
        cle = cle.strip()
        if not cle or len(cle) > LONGUEUR_MAX_CLE or not cle.isprintable():
            return probleme(
                400,
                "cle_idempotence_invalide",
                f"L'en-tête Idempotency-Key contient de 1 à {LONGUEUR_MAX_CLE} caractères "
                "imprimables (un UUID, par exemple).",
            )
        jeton = _jeton(request)
        if jeton is None:
            return self.get_response(request)  # the endpoint answers 401
        empreinte = _empreinte(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    ligne = ReponseIdempotente.objects.create(
                        guichet=jeton.guichet, cle=cle, empreinte=empreinte
                    )
            except IntegrityError:
                ligne = None
            if ligne is not None:
                reponse = self.get_response(request)
                if 200 <= reponse.status_code < 300 and not reponse.streaming:
                    ligne.statut = reponse.status_code
                    ligne.type_contenu = reponse.get("Content-Type", "")
                    ligne.corps = reponse.content
                    ligne.emplacement = reponse.get("Location", "")[:300]
                    ligne.save(update_fields=["statut", "type_contenu", "corps", "emplacement"])
                else:
                    transaction.set_rollback(True)  # forget the key: the request may be retried
                return reponse
        ligne = ReponseIdempotente.objects.get(guichet=jeton.guichet, cle=cle)
        if ligne.empreinte != empreinte:
            return probleme(
                422,
                "cle_idempotence_reutilisee",
                "Cette clé Idempotency-Key a déjà servi pour une autre requête : une clé "
                "nouvelle pour chaque requête, la même seulement pour renvoyer la même.",
            )
        return _rejouer(ligne)
