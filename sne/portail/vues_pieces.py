"""« Mes pièces justificatives » (docs/portail.md): the signed-in applicant lists the pièces of
their demande, adds some (one or several files, the desks' form and drag-and-drop script),
replaces a refused one, opens their own. Thin views over `services_pieces`; a radiée demande
is read-only; a pièce of another demande is a 404."""

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from sne.audit.services import adresse_ip
from sne.exceptions import ErreurMetier, Introuvable
from sne.formulaires import erreur_sur_formulaire, resume_erreurs
from sne.pieces.controles import PieceRefusee
from sne.pieces.forms import AjoutPieceForm, RemplacementPieceForm
from sne.pieces.nomenclatures import CATEGORIES, StatutPiece
from sne.pieces.services import PieceDejaDeposee, nom_de_telechargement
from sne.pieces.views import deposer_chaque_fichier

from . import services_pieces as services
from .session import demandeur_requis

BADGES = {
    StatutPiece.EN_ATTENTE_ANALYSE: "fr-badge--warning",
    StatutPiece.RECUE: "fr-badge--info",
    StatutPiece.VALIDEE: "fr-badge--success",
    StatutPiece.REFUSEE: "fr-badge--error",
    StatutPiece.REMPLACEE: "",
}
LECTURE_SEULE = "Votre demande est radiée : vous pouvez consulter vos pièces, mais plus en ajouter."


def _mo(octets: int) -> str:
    return f"{octets / 1_048_576:.0f} Mo"


def _envoi(request) -> tuple:
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _du_script(request) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _deposer_chacun(request, form) -> list[dict]:
    """Each file is its own pièce: a refused one does not stop the others (as at the desk)."""
    return deposer_chaque_fichier(
        form,
        lambda fichier, type_, personne: services.deposer_en_ligne(
            request.demande, fichier, type=type_, personne=personne
        ),
        ajoutee="Pièce envoyée.",
        en_attente="Pièce envoyée, en attente d'analyse antivirus : vous pourrez l'ouvrir une "
        "fois analysée.",
    )


@never_cache
@require_http_methods(["GET", "POST"])
@demandeur_requis
def mes_pieces(request):
    """The list of the demande's pièces and the form to add some. The drag-and-drop script
    (`pieces/depot.js`) sends one file per request and reads the answer as JSON."""
    d = request.demande
    if request.method == "POST" and not d.est_active:
        if _du_script(request):
            return JsonResponse({"resultats": [], "erreurs": [LECTURE_SEULE]}, status=400)
        messages.error(request, LECTURE_SEULE)
        return redirect("portail:mes_pieces")
    form = (
        AjoutPieceForm(*_envoi(request), demande=d, taille_max=services.taille_max())
        if d.est_active
        else None
    )
    if request.method == "POST":
        resultats = _deposer_chacun(request, form) if form.is_valid() else []
        if _du_script(request):
            erreurs = [m for liste in form.errors.values() for m in liste]
            return JsonResponse(
                {"resultats": resultats, "erreurs": erreurs}, status=400 if erreurs else 200
            )
        envoyees = [r for r in resultats if r["ajoutee"]]
        if envoyees:
            messages.success(
                request,
                f"Pièce envoyée : {envoyees[0]['nom']}. Un guichet l'examinera."
                if len(envoyees) == 1
                else f"{len(envoyees)} pièces envoyées : "
                + ", ".join(r["nom"] for r in envoyees)
                + ". Un guichet les examinera.",
            )
        for refus in (r for r in resultats if not r["ajoutee"]):
            form.add_error("fichiers", f"« {refus['nom']} » refusé : {refus['message']}")
        if not form.errors:
            return redirect("portail:mes_pieces")
    liste = services.mes_pieces(d)
    return render(
        request,
        "portail/compte/mes_pieces.html",
        {
            "d": d,
            "pieces": [{"piece": p, "badge": BADGES.get(p.statut, "")} for p in liste],
            "en_attente": any(p.statut == StatutPiece.EN_ATTENTE_ANALYSE for p in liste),
            "manquantes": services.pieces_manquantes(d, liste),
            "categories": CATEGORIES.items(),
            "form": form,
            "resume_erreurs": resume_erreurs(form) if form is not None else [],
            "taille_max": _mo(services.taille_max()),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@demandeur_requis
def remplacer_piece(request, uid):
    d = request.demande
    try:
        piece = services.ma_piece(d, uid, adresse_ip=adresse_ip(request))
    except Introuvable as e:
        raise Http404(e.message) from e
    if not d.est_active:
        messages.error(request, LECTURE_SEULE)
        return redirect("portail:mes_pieces")
    if piece.statut != StatutPiece.REFUSEE:
        messages.error(request, "Seule une pièce refusée se remplace en ligne.")
        return redirect("portail:mes_pieces")
    form = RemplacementPieceForm(*_envoi(request), taille_max=services.taille_max())
    if request.method == "POST" and form.is_valid():
        try:
            nouvelle = services.remplacer_en_ligne(d, uid, form.cleaned_data["fichier"])
        except Introuvable as e:
            raise Http404(e.message) from e
        except ErreurMetier as e:
            du_fichier = isinstance(e, PieceRefusee | PieceDejaDeposee)
            erreur_sur_formulaire(form, e, champs={"": "fichier"} if du_fichier else None)
        else:
            messages.success(
                request,
                f"Nouveau fichier envoyé pour : {nouvelle.get_type_display()}. Un guichet "
                "l'examinera.",
            )
            return redirect("portail:mes_pieces")
    return render(
        request,
        "portail/compte/remplacer_piece.html",
        {
            "d": d,
            "piece": piece,
            "form": form,
            "resume_erreurs": resume_erreurs(form),
        },
    )


@never_cache
@require_GET
@demandeur_requis
def ouvrir_piece(request, uid):
    """The file of one of the applicant's pièces, shown by the browser in a sandbox, as at the
    desk (`sne.pieces.views.telecharger`)."""
    try:
        piece, contenu = services.ouvrir_ma_piece(
            request.demande, uid, adresse_ip=adresse_ip(request)
        )
    except ErreurMetier as e:
        if isinstance(e, Introuvable) and e.code == "piece_introuvable":
            raise Http404(e.message) from e
        # Waiting for the antivirus, or its file erased: the list says why.
        messages.error(request, e.message)
        return redirect("portail:mes_pieces")
    reponse = HttpResponse(contenu, content_type=piece.type_contenu)
    reponse["Content-Disposition"] = f'inline; filename="{nom_de_telechargement(piece)}"'
    reponse["X-Content-Type-Options"] = "nosniff"
    reponse["Cache-Control"] = "private, no-store"
    reponse["Content-Security-Policy"] = "sandbox"
    return reponse
