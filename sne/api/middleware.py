"""What the API answers before or around its endpoints, for every request under `/api/`.

- A body larger than `SNE_API_TAILLE_MAX_CORPS` is refused with 413 from its
  `Content-Length`, before anything reads it (NUL check, JSON parsing). A batch lot
  (`POST /api/v1/lots`) has its own limit, `SNE_API_TAILLE_MAX_LOT`: announced larger, it is
  refused here as well; its endpoint streams the body and stops at that limit while reading.
  A lot whose content type is not JSON Lines is refused here (415), before any body is read, and
  one sent by chunks without a length (411).
  The industrial scanner's ZIP (`POST /api/v1/numeriseur/lots`) likewise, with
  `SNE_API_TAILLE_MAX_NUMERISEUR` and `application/zip`.
  A `Content-Length` that is not a size is refused with 400.
- A pièce (`POST /api/v1/demandes/{numero}/pieces`) is the one body that is not JSON: only
  `multipart/form-data` (415 otherwise, unread), up to `SNE_PIECES_TAILLE_MAX` plus the
  form's own bytes (`MARGE_MULTIPART`), refused from its `Content-Length` beyond.
- A response Django or ninja makes without the API's error handlers — an unknown address
  (404 of the URL resolver), a method the endpoint does not accept (405), a malformed request
  (400), the 500 page — becomes an RFC 9457 problem document, as every other API error:
  a client branches on `code`, never parses HTML. A JSON answer is left as it is (the 503 of
  `/sante` is its own schema).
"""

import re

from django.conf import settings

from sne.exceptions import ErreurMetier
from sne.lots.services import exiger_type_de_contenu
from sne.pieces import numeriseur

from .corps import multipart_attendu
from .erreurs import corps_trop_volumineux, probleme

PREFIXE_API = "/api/"
ROUTE_LOTS = "/api/v1/lots"
ROUTE_NUMERISEUR = "/api/v1/numeriseur/lots"


def _envoi_de_lot(request) -> bool:
    return request.method == "POST" and request.path.rstrip("/") == ROUTE_LOTS


# A pièce's upload (`pieces.py`): the file, its two fields and the multipart boundaries.
ROUTE_DEPOT_DE_PIECE = re.compile(r"^/api/v1/demandes/[^/]+/pieces/?$")
MARGE_MULTIPART = 64 * 1024


def depot_de_piece(request) -> bool:
    return request.method == "POST" and ROUTE_DEPOT_DE_PIECE.match(request.path) is not None


def _refus_du_depot_de_piece(request):
    """A pièce sent otherwise than as a form with its file: refused before its body is read."""
    if (request.content_type or "") != "multipart/form-data":
        e = multipart_attendu(request.content_type or "")
        return probleme(e.statut_http, e.code, e.message)
    return None


def _envoi_au_numeriseur(request) -> bool:
    return request.method == "POST" and request.path.rstrip("/") == ROUTE_NUMERISEUR


def taille_max(request) -> int:
    """The largest body this request may send."""
    if _envoi_de_lot(request):
        return settings.SNE_API_TAILLE_MAX_LOT
    if depot_de_piece(request):
        return settings.SNE_PIECES_TAILLE_MAX + MARGE_MULTIPART
    if _envoi_au_numeriseur(request):
        return settings.SNE_API_TAILLE_MAX_NUMERISEUR
    return settings.SNE_API_TAILLE_MAX_CORPS


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
        return corps_trop_volumineux(taille_max(request))
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
        if _envoi_de_lot(request) or _envoi_au_numeriseur(request):
            # Checked before the NUL check reads a form body: a lot of the wrong type is
            # refused unread, whatever its size.
            try:
                if _envoi_de_lot(request):
                    exiger_type_de_contenu(request.content_type)
                else:
                    numeriseur.exiger_type_de_contenu(request.content_type)
            except ErreurMetier as e:
                return probleme(e.statut_http, e.code, e.message)
            if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
                # Django reads a body only up to its Content-Length: sent by chunks, the lot
                # would arrive empty.
                return probleme(
                    411,
                    "longueur_requise",
                    "Envoyez le lot avec l'en-tête Content-Length (curl --data-binary @lot.jsonl, "
                    "ou @lot.zip, le fait) : un lot envoyé par morceaux (Transfer-Encoding: "
                    "chunked) n'est pas accepté.",
                )
        if depot_de_piece(request) and (refus := _refus_du_depot_de_piece(request)):
            return refus
        taille = _taille_annoncee(request)
        if taille is None:
            return probleme(
                400, "requete_invalide", "L'en-tête Content-Length n'est pas une taille valide."
            )
        limite = taille_max(request)
        if taille > limite:
            return corps_trop_volumineux(limite)
        reponse = self.get_response(request)
        if reponse.status_code >= 400 and "json" not in reponse.get("Content-Type", ""):
            return _en_probleme(request, reponse)
        return reponse
