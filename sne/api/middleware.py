"""What the API answers before or around its endpoints, for every request under `/api/`.

- A body larger than `SNE_API_TAILLE_MAX_CORPS` is refused with 413 from its
  `Content-Length`, before anything reads it (NUL check, JSON parsing); a `Content-Length`
  that is not a size, with 400.
- A response Django or ninja makes without the API's error handlers — an unknown address
  (404 of the URL resolver), a method the endpoint does not accept (405), a malformed request
  (400), the 500 page — becomes an RFC 9457 problem document, as every other API error:
  a client branches on `code`, never parses HTML. A JSON answer is left as it is (the 503 of
  `/sante` is its own schema).
"""

from django.conf import settings

from .erreurs import corps_trop_volumineux, probleme

PREFIXE_API = "/api/"


def _taille_annoncee(request) -> int | None:
    """The size the client announces; None when it is not a size (behind gunicorn, which
    refuses such a request itself, this never reaches Django; another server may pass it)."""
    try:
        taille = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    return taille if taille >= 0 else None


def _en_probleme(request, reponse):
    statut = reponse.status_code
    if statut == 404:
        return probleme(
            404,
            "adresse_inconnue",
            f"L'adresse {request.path} n'existe pas dans l'API : la liste des appels est sur "
            "/api/v1/docs.",
        )
    if statut == 405:
        permises = reponse.get("Allow", "")
        nouvelle = probleme(
            405,
            "methode_non_autorisee",
            f"La méthode {request.method} n'est pas acceptée sur cette adresse"
            + (f" ; méthodes acceptées : {permises}." if permises else "."),
        )
        if permises:
            nouvelle["Allow"] = permises
        return nouvelle
    if statut == 413:
        return corps_trop_volumineux()
    if statut >= 500:
        return probleme(
            statut,
            "erreur_interne",
            "Une erreur inattendue est survenue ; rien n'a été enregistré. Réessayez plus tard.",
        )
    return probleme(statut, "requete_invalide", "La requête est mal formée.")


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIXE_API):
            return self.get_response(request)
        taille = _taille_annoncee(request)
        if taille is None:
            return probleme(
                400, "requete_invalide", "L'en-tête Content-Length n'est pas une taille valide."
            )
        if taille > settings.SNE_API_TAILLE_MAX_CORPS:
            return corps_trop_volumineux()
        reponse = self.get_response(request)
        if reponse.status_code >= 400 and "json" not in reponse.get("Content-Type", ""):
            return _en_probleme(request, reponse)
        return reponse
