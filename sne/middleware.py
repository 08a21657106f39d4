"""Protections applied once to every request, rather than page by page.

- `CaracteresNulsMiddleware`: a NUL character (`%00`, `\\u0000`) is never valid in a path, a
  query string, a form field or a JSON body, and PostgreSQL refuses it in text (an error 500):
  the request is refused with a clear 400 before any view runs. Uploaded files are not read.
- `PasDeCacheMiddleware`: the pages of signed-in people show personal data (demandes, people,
  contacts): neither the browser nor a proxy keeps them (`Cache-Control: no-store`).
"""

from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_cache_control

from sne.api.erreurs import probleme
from sne.api.middleware import depot_de_piece

MESSAGE_NUL = "La requête contient un caractère nul, qui n'est accepté dans aucun champ."


def _contient_un_nul(request) -> bool:
    if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", "").lower():
        return True
    if any("\x00" in v for valeurs in request.GET.lists() for v in valeurs[1]):
        return True
    type_contenu = request.content_type or ""
    if request.method in ("POST", "PUT", "PATCH"):
        if type_contenu == "application/json" or type_contenu.endswith("+json"):
            return b"\\u0000" in request.body or b"\x00" in request.body
        if type_contenu in ("application/x-www-form-urlencoded", "multipart/form-data"):
            if request.path.startswith("/api/") and not depot_de_piece(request):
                # ninja reads the raw body of an endpoint that takes JSON, whatever the content
                # type sent: read it before the form is parsed, which would consume the stream
                # (RawPostDataException, a 500); the form is then parsed from the kept body.
                # The API bounds its bodies (`SNE_API_TAILLE_MAX_CORPS`), the pages' uploads
                # are not read whole, nor is a pièce sent to the API (its file may be
                # larger than a body Django keeps in memory).
                request.body  # noqa: B018
            return any("\x00" in v for _, valeurs in request.POST.lists() for v in valeurs)
    return False


class CaracteresNulsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _contient_un_nul(request):
            if request.path.startswith("/api/") and not depot_de_piece(request):
                return probleme(400, "caractere_nul", MESSAGE_NUL)
            return render(request, "erreurs/400.html", {"message": MESSAGE_NUL}, status=400)
        return self.get_response(request)


class PasDeCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reponse = self.get_response(request)
        utilisateur = getattr(request, "user", None)
        if utilisateur is not None and utilisateur.is_authenticated:
            add_never_cache_headers(reponse)
            patch_cache_control(reponse, private=True)
        return reponse
