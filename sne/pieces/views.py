"""The desks' pages of the dossier unique: the « Pièces justificatives » tab of the demande page,
adding pièces (a plain form, and one request per file for the page's script), validating,
refusing, replacing, and opening a pièce. Every rule is the services' (`services.py`): these
views parse, find the desk the agent acts for, call the service and show its answer."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sne.audit.services import adresse_ip
from sne.comptes.decorateurs import habilite_requis
from sne.comptes.droits import guichet_agissant, guichet_de_consultation
from sne.demandes.views.commun import pour_agir, vers_demande
from sne.exceptions import ErreurMetier, Introuvable, NonAutorise
from sne.formulaires import erreur_sur_formulaire, resume_erreurs

from . import services
from .controles import PieceRefusee
from .forms import AjoutPieceForm, RefusPieceForm, RemplacementPieceForm
from .models import EvenementPiece, Piece
from .nomenclatures import CATEGORIES, MOTIFS_DU_GUICHET, StatutPiece, TypePiece

ONGLET = "pieces"
BADGES = {
    StatutPiece.EN_ATTENTE_ANALYSE: "fr-badge--warning",
    StatutPiece.RECUE: "fr-badge--info",
    StatutPiece.VALIDEE: "fr-badge--success",
    StatutPiece.REFUSEE: "fr-badge--error",
    StatutPiece.REMPLACEE: "",
}


def _taille_max() -> int:
    return settings.SNE_PIECES_TAILLE_MAX


def _mo(octets: int) -> str:
    return f"{octets / 1_048_576:.0f} Mo"


def contexte_onglet(request, demande) -> dict:
    """The tab's content, read with the demande page (whose opening is already audited)."""
    pieces = list(
        services.pieces_visibles(demande, par=request.user).prefetch_related(
            Prefetch(
                "evenements",
                queryset=EvenementPiece.objects.select_related("utilisateur", "guichet"),
            )
        )
    )
    guichet = guichet_agissant(request.user, demande)
    peut_agir = guichet is not None and demande.est_active
    return {
        "pieces": [{"piece": p, "badge": BADGES.get(p.statut, "")} for p in pieces],
        "en_attente": any(p.statut == StatutPiece.EN_ATTENTE_ANALYSE for p in pieces),
        "manquantes": services.pieces_obligatoires_manquantes(demande, pieces),
        "categories": CATEGORIES.items(),
        "peut_agir": peut_agir,
        "form": AjoutPieceForm(demande=demande, taille_max=_taille_max()) if peut_agir else None,
        "taille_max": _mo(_taille_max()),
    }


def _pour_agir_sur(request, uid) -> tuple[Piece, object]:
    """(pièce, desk) when the agent may act on its demande; 404 for an unknown pièce, 403 (and
    an audit entry) outside their scope, 403 when they may only read it."""
    piece = services.trouver_piece(uid, par=request.user, adresse_ip=adresse_ip(request))
    guichet = guichet_agissant(request.user, piece.demande)
    if guichet is None:
        raise NonAutorise(
            "Vous pouvez consulter les pièces de cette demande mais pas les valider, les "
            "refuser ni en ajouter : il faut une habilitation de saisie sur un guichet habilité "
            "sur son département."
        )
    return piece, guichet


def _envoi(request) -> tuple:
    """(data, files) of a POST, bound even when empty (an empty POST is an error to show)."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def _est_un_envoi_du_script(request) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _deposer_chacun(form, demande, guichet, request) -> list[dict]:
    """Each file is its own pièce: a refused one does not stop the others. A refusal that
    concerns the form (its type, its person) is put on it and stops there."""
    return deposer_chaque_fichier(
        form,
        lambda fichier, type_, personne: services.deposer_piece(
            demande, fichier, type=type_, personne=personne, par=request.user, guichet=guichet
        ),
        ajoutee="Pièce ajoutée.",
        en_attente="Pièce ajoutée, en attente d'analyse antivirus : elle pourra être ouverte "
        "une fois analysée.",
    )


def deposer_chaque_fichier(form, deposer, *, ajoutee: str, en_attente: str) -> list[dict]:
    """The files of an `AjoutPieceForm`, each given to `deposer(fichier, type, personne)` on
    its own (the desk's page and the portal's): one result per file; a refusal of the form's
    type or person is put on the form and stops there; a refusal of rights goes up."""
    resultats = []
    for fichier in form.cleaned_data["fichiers"]:
        nom = (fichier.name or "fichier")[-120:]
        try:
            piece = deposer(fichier, form.cleaned_data["type"], form.personne_choisie())
        except ErreurMetier as e:
            if isinstance(e, NonAutorise | Introuvable):
                raise
            if e.champ in ("type", "personne"):
                erreur_sur_formulaire(form, e)
                break
            resultats.append({"nom": nom, "ajoutee": False, "message": e.message, "code": e.code})
        else:
            resultats.append(
                {
                    "nom": nom,
                    "ajoutee": True,
                    "message": ajoutee
                    if piece.statut != StatutPiece.EN_ATTENTE_ANALYSE
                    else en_attente,
                    "piece": str(piece.uid),
                }
            )
    return resultats


@require_http_methods(["GET", "POST"])
@habilite_requis
def ajouter(request, numero):
    """Add one or several pièces. The page's script sends one file per request and reads the
    answer as JSON; without script, the form sends them all and the page tells each result."""
    demande, guichet = pour_agir(request, numero)
    form = AjoutPieceForm(
        *_envoi(request),
        demande=demande,
        taille_max=_taille_max(),
    )
    if request.method == "POST":
        resultats = _deposer_chacun(form, demande, guichet, request) if form.is_valid() else []
        if _est_un_envoi_du_script(request):
            erreurs = [m for liste in form.errors.values() for m in liste]
            return JsonResponse(
                {"resultats": resultats, "erreurs": erreurs}, status=400 if erreurs else 200
            )
        ajoutees = [r for r in resultats if r["ajoutee"]]
        if ajoutees:
            messages.success(
                request,
                "Pièce ajoutée : " + ajoutees[0]["nom"] + "."
                if len(ajoutees) == 1
                else f"{len(ajoutees)} pièces ajoutées : "
                + ", ".join(r["nom"] for r in ajoutees)
                + ".",
            )
        for refus in (r for r in resultats if not r["ajoutee"]):
            form.add_error("fichiers", f"« {refus['nom']} » refusé : {refus['message']}")
        if not form.errors:
            return redirect(vers_demande(demande.numero_unique, ONGLET))
    return render(
        request,
        "pieces/ajouter.html",
        {
            "title": f"Ajouter des pièces à la demande {demande.numero_unique}",
            "d": demande,
            "form": form,
            "resume_erreurs": resume_erreurs(form),
            "taille_max": _mo(_taille_max()),
        },
    )


@require_POST
@habilite_requis
def valider(request, uid):
    piece, guichet = _pour_agir_sur(request, uid)
    try:
        piece = services.valider_piece(piece, par=request.user, guichet=guichet)
    except ErreurMetier as e:
        if isinstance(e, NonAutorise | Introuvable):
            raise
        messages.error(request, e.message)
    else:
        messages.success(request, f"Pièce validée : {piece.get_type_display()}.")
    return redirect(vers_demande(piece.demande.numero_unique, ONGLET))


@require_http_methods(["GET", "POST"])
@habilite_requis
def refuser(request, uid):
    piece, guichet = _pour_agir_sur(request, uid)
    form = RefusPieceForm(*_envoi(request)[:1])
    if request.method == "POST" and form.is_valid():
        try:
            piece = services.refuser_piece(
                piece,
                form.cleaned_data["motif"],
                form.cleaned_data["precision"],
                par=request.user,
                guichet=guichet,
            )
        except ErreurMetier as e:
            erreur_sur_formulaire(form, e)
        else:
            messages.success(
                request,
                f"Pièce refusée ({piece.get_motif_refus_display().lower()}) : "
                f"{piece.get_type_display()}.",
            )
            return redirect(vers_demande(piece.demande.numero_unique, ONGLET))
    return render(
        request,
        "pieces/refuser.html",
        {
            "title": f"Refuser une pièce de la demande {piece.demande.numero_unique}",
            "d": piece.demande,
            "piece": piece,
            "form": form,
            "resume_erreurs": resume_erreurs(form),
            "identite": piece.type in services.TYPES_IDENTITE,
        },
    )


@require_http_methods(["GET", "POST"])
@habilite_requis
def remplacer(request, uid):
    piece, guichet = _pour_agir_sur(request, uid)
    form = RemplacementPieceForm(*_envoi(request), taille_max=_taille_max())
    if request.method == "POST" and form.is_valid():
        try:
            nouvelle = services.remplacer_piece(
                piece, form.cleaned_data["fichier"], par=request.user, guichet=guichet
            )
        except ErreurMetier as e:
            # A refused file is the field's error; « already replaced » is the form's.
            du_fichier = isinstance(e, PieceRefusee | services.PieceDejaDeposee)
            erreur_sur_formulaire(form, e, champs={"": "fichier"} if du_fichier else None)
        else:
            messages.success(
                request,
                f"Pièce remplacée : {nouvelle.get_type_display()}. L'ancienne reste dans "
                "l'historique.",
            )
            return redirect(vers_demande(piece.demande.numero_unique, ONGLET))
    return render(
        request,
        "pieces/remplacer.html",
        {
            "title": f"Remplacer une pièce de la demande {piece.demande.numero_unique}",
            "d": piece.demande,
            "piece": piece,
            "form": form,
            "resume_erreurs": resume_erreurs(form),
            "taille_max": _mo(_taille_max()),
        },
    )


@require_GET
@habilite_requis
def telecharger(request, uid):
    """The file of a pièce, shown by the browser in a sandbox (no script, no form, no
    same-origin access even if a file slipped through the checks), never kept in a cache."""
    ip = adresse_ip(request)
    piece = services.trouver_piece(uid, par=request.user, adresse_ip=ip)
    guichet = guichet_de_consultation(request.user, piece.demande)
    try:
        contenu = services.lire_piece(piece, par=request.user, guichet=guichet, adresse_ip=ip)
    except ErreurMetier as e:
        if isinstance(e, NonAutorise):
            raise
        messages.error(request, e.message)
        return redirect(vers_demande(piece.demande.numero_unique, ONGLET))
    reponse = HttpResponse(contenu, content_type=piece.type_contenu)
    reponse["Content-Disposition"] = f'inline; filename="{services.nom_de_telechargement(piece)}"'
    reponse["X-Content-Type-Options"] = "nosniff"
    reponse["Cache-Control"] = "private, no-store"
    reponse["Content-Security-Policy"] = "sandbox"
    return reponse


@require_GET
@habilite_requis
def aide(request):
    """The national list of pièces and what a desk does with them (no personal data)."""
    return render(
        request,
        "pieces/aide.html",
        {
            "title": "Pièces justificatives : la liste nationale et les règles",
            "categories": CATEGORIES.items(),
            "motifs": MOTIFS_DU_GUICHET,
            "taille_max": _mo(_taille_max()),
            "pages_max": settings.SNE_PIECES_PAGES_MAX,
            "identite": TypePiece.IDENTITE.label,
        },
    )
