"""Import of a fiche collecte in three pages: upload, preview, result (`fiche_collecte.py` holds
every rule; these views parse, check the page is a gestionnaire's, call it and render).

The file is read once, at upload (bounded before it is parsed: `tableurs`). Between the preview
and « Appliquer », its rows are kept in the person's session (their text at most 2 Mo, with the
SHA-256 of the file): nothing to clean up on disk, nobody else can reach it, it expires with
the session, and a preview shown again does not parse the file again. The plan is never sent
to the browser and back: « Appliquer » checks the very same rows again against the register,
then applies them, and refuses if another file was uploaded since the preview the person read.
"""

import hashlib
import os

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sne.comptes.decorateurs import gestionnaire_requis
from sne.comptes.models import Habilitation, Utilisateur
from sne.exceptions import ErreurMetier
from sne.referentiels.models import Departement

from .fiche_collecte import (
    TAILLE_MAX,
    analyser_lignes,
    appliquer_fiche_collecte,
    lire_fichier,
)
from .models import Guichet

SESSION_FICHIER = "fiche_collecte_fichier"
SESSION_RESULTAT = "fiche_collecte_resultat"
EXEMPLES = settings.BASE_DIR / "docs" / "exemples"
MODELES = {
    "csv": ("fiche-collecte-exemple.csv", "text/csv; charset=utf-8"),
    "xlsx": (
        "fiche-collecte-exemple.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


def _contexte(**valeurs) -> dict:
    return {"rubrique": "fiche_collecte", "taille_max_mo": TAILLE_MAX // (1024 * 1024), **valeurs}


def _fiche_en_session(request) -> dict | None:
    """The fiche read at step 1: `nom`, `lignes` and `empreinte` (SHA-256 of the file)."""
    donnees = request.session.get(SESSION_FICHIER)
    return donnees if donnees and "lignes" in donnees else None


def _analyser(fiche, par):
    return analyser_lignes(fiche["lignes"], par, nom_fichier=fiche["nom"])


@gestionnaire_requis
@require_http_methods(["GET", "POST"])
def importer(request):
    """Step 1: upload. A file that cannot be read at all (format, size, encoding) is refused
    here; its content is checked at step 2."""
    erreur = ""
    if request.method == "POST":
        fichier = request.FILES.get("fichier")
        if fichier is None:
            erreur = "Choisissez le fichier de la fiche collecte (.csv ou .xlsx)."
        else:
            try:
                lignes = lire_fichier(fichier)
            except ErreurMetier as e:
                erreur = e.message
            else:
                empreinte = hashlib.sha256()
                for morceau in fichier.chunks():
                    empreinte.update(morceau)
                request.session[SESSION_FICHIER] = {
                    "nom": os.path.basename(fichier.name)[:150],
                    "lignes": lignes,
                    "empreinte": empreinte.hexdigest(),
                }
                request.session.pop(SESSION_RESULTAT, None)
                return redirect("fiche_collecte:apercu")
    return render(
        request,
        "organisations/fiche_collecte/importer.html",
        _contexte(title="Importer une fiche collecte", erreur=erreur),
    )


@gestionnaire_requis
@require_GET
def apercu(request):
    """Step 2: what the file will create, and every problem that prevents it."""
    fiche = _fiche_en_session(request)
    if fiche is None:
        messages.info(request, "Déposez d'abord le fichier de la fiche collecte.")
        return redirect("fiche_collecte:importer")
    try:
        analyse = _analyser(fiche, request.user)
    except ErreurMetier as e:
        request.session.pop(SESSION_FICHIER, None)
        return render(
            request,
            "organisations/fiche_collecte/importer.html",
            _contexte(title="Importer une fiche collecte", erreur=e.message),
        )
    departements = Departement.objects.filter(code__in=analyse.guichet.departements)
    return render(
        request,
        "organisations/fiche_collecte/apercu.html",
        _contexte(
            title="Aperçu de la fiche collecte",
            analyse=analyse,
            departements=departements,
            empreinte=fiche["empreinte"],
        ),
    )


@gestionnaire_requis
@require_POST
def appliquer(request):
    """Step 3: check the stored rows again and apply them; any refusal goes back to the preview
    with its reason."""
    fiche = _fiche_en_session(request)
    if fiche is None:
        messages.info(request, "Déposez d'abord le fichier de la fiche collecte.")
        return redirect("fiche_collecte:importer")
    if request.POST.get("empreinte") != fiche["empreinte"]:
        messages.warning(
            request,
            "Un autre fichier a été déposé depuis l'aperçu que vous avez validé : vérifiez cet "
            "aperçu avant d'appliquer.",
        )
        return redirect("fiche_collecte:apercu")
    try:
        analyse = _analyser(fiche, request.user)
        resultat = appliquer_fiche_collecte(analyse, request.user, settings.SNE_URL_SITE)
    except ErreurMetier as e:
        messages.error(request, f"Rien n'a été créé. {e.message}")
        return redirect("fiche_collecte:apercu")
    request.session.pop(SESSION_FICHIER, None)
    request.session[SESSION_RESULTAT] = {
        "guichet": resultat.guichet.pk,
        "organisation_creee": resultat.organisation_creee,
        "guichet_cree": resultat.guichet_cree,
        "perimetre_modifie": resultat.perimetre_modifie,
        "comptes_crees": [u.pk for u in resultat.comptes_crees],
        "habilitations": [h.pk for h in resultat.habilitations_creees],
        "deja_habilites": [u.pk for u in resultat.deja_habilites],
        "invites": [u.pk for u in resultat.invites],
        "invitations_differees": [u.pk for u in resultat.invitations_differees],
        "accords_demandes": resultat.accords_demandes,
    }
    return redirect("fiche_collecte:resultat")


@gestionnaire_requis
@require_GET
def resultat(request):
    """What the last import of this session created, and who was invited."""
    donnees = request.session.get(SESSION_RESULTAT)
    guichet = None
    if donnees:
        guichet = (
            Guichet.objects.visibles_par(request.user)
            .select_related("organisation")
            .filter(pk=donnees["guichet"])
            .first()
        )
    if guichet is None:
        return redirect("fiche_collecte:importer")
    habilitations = Habilitation.objects.filter(pk__in=donnees["habilitations"]).select_related(
        "utilisateur"
    )
    return render(
        request,
        "organisations/fiche_collecte/resultat.html",
        _contexte(
            title="Fiche collecte appliquée",
            guichet=guichet,
            resultat=donnees,
            habilitations=habilitations,
            deja_habilites=Utilisateur.objects.filter(pk__in=donnees["deja_habilites"]),
        ),
    )


@gestionnaire_requis
@require_GET
def modele(request, format):
    """The sample fiche (docs/exemples/), to start from."""
    if format not in MODELES:
        raise Http404
    nom, type_mime = MODELES[format]
    return FileResponse(
        open(EXEMPLES / nom, "rb"),  # FileResponse closes it
        as_attachment=True,
        filename=nom,
        content_type=type_mime,
    )
