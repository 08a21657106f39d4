"""The gestionnaire's page of the cotation (mounted at /gestion/cotation/): the grid in force of
each of their départements, and a form to publish a new version (`publier_grille`). Every
criterion of the list is offered with its points; those left unticked are not in the grid."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from sne.comptes.decorateurs import gestionnaire_requis
from sne.comptes.droits import departements_geres
from sne.exceptions import ErreurMetier, NonAutorise

from .cotation import AVEC_SEUIL, PAR_UNITE, Critere, en_francais
from .services_cotation import grille_en_vigueur, publier_grille, regles_de


def _lignes(post, grille):
    """One row per criterion of the list: ticked, points, cap, threshold — from the form sent,
    or from the grid in force."""
    actuels = {r.critere: r for r in regles_de(grille)} if grille else {}
    lignes = []
    for critere in Critere:
        regle = actuels.get(critere.value)
        if post is not None:
            valeurs = {
                "retenu": post.get(f"{critere.value}-retenu") == "1",
                "points": post.get(f"{critere.value}-points", ""),
                "plafond": post.get(f"{critere.value}-plafond", ""),
                "seuil": post.get(f"{critere.value}-seuil", ""),
            }
        else:
            valeurs = {
                "retenu": regle is not None,
                "points": regle.points if regle else "",
                "plafond": regle.plafond if regle and regle.plafond is not None else "",
                "seuil": regle.seuil if regle and regle.seuil is not None else "",
            }
        lignes.append(
            {
                "code": critere.value,
                "libelle": critere.label,
                "par_unite": critere in PAR_UNITE,
                "avec_seuil": critere in AVEC_SEUIL,
                **valeurs,
            }
        )
    return lignes


@require_http_methods(["GET", "POST"])
@gestionnaire_requis
def cotation(request):
    departements = departements_geres(request.user)
    codes = [d.code for d in departements]
    code = request.POST.get("departement") or request.GET.get("departement") or ""
    if request.method == "POST" and code not in codes:
        raise NonAutorise(
            "Vous ne gérez pas ce département : sa grille de cotation ne peut pas être publiée "
            "par vous.",
            code="gestion_non_autorisee",
        )
    if code not in codes:
        code = codes[0] if codes else ""
    grille = grille_en_vigueur(code) if code else None
    erreur = ""
    post = request.POST if request.method == "POST" else None
    if post is not None and code:
        criteres = [
            {
                "critere": ligne["code"],
                "points": ligne["points"],
                "plafond": ligne["plafond"],
                "seuil": ligne["seuil"],
            }
            for ligne in _lignes(post, None)
            if ligne["retenu"]
        ]
        try:
            nouvelle = publier_grille(
                code, criteres, par=request.user, presentation=post.get("presentation", "")
            )
        except ErreurMetier as e:
            erreur = e.message
        else:
            messages.success(
                request,
                f"La grille du {code} est publiée (version {nouvelle.version}) : les points des "
                "demandes du département sont recalculés dans les minutes qui viennent.",
            )
            return redirect(f"{reverse('gestion_cotation:grille')}?departement={code}")
    return render(
        request,
        "attributions/gestion_cotation.html",
        {
            "title": "Grille de cotation",
            "rubrique": "cotation",
            "departements": departements,
            "code": code,
            "grille": grille,
            "phrases": [en_francais(r) for r in regles_de(grille)] if grille else [],
            "lignes": _lignes(post, grille),
            "presentation": post.get("presentation", "")
            if post
            else (grille.presentation if grille else ""),
            "erreur": erreur,
        },
        status=422 if erreur else 200,
    )
