"""The public pages of the cotation (CCH L441-2-8: each territory publishes its grid, so that
applicants understand their place): the territories with a grid, and each grid in plain
French with its earlier versions. No login, no personal data."""

from django.http import Http404
from django.shortcuts import render

from sne.referentiels.models import Departement

from .cotation import en_francais
from .models import GrilleCotation
from .services_cotation import grille_en_vigueur, regles_de


def territoires(request):
    grilles = (
        GrilleCotation.objects.order_by("departement_id", "-version")
        .distinct("departement_id")
        .select_related("departement")
        if _postgresql()
        else _dernieres()
    )
    return render(
        request,
        "attributions/cotation_territoires.html",
        {"title": "La cotation des demandes de logement social", "grilles": list(grilles)},
    )


def _postgresql() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def _dernieres():
    vues, grilles = set(), []
    for grille in GrilleCotation.objects.order_by("departement_id", "-version").select_related(
        "departement"
    ):
        if grille.departement_id not in vues:
            vues.add(grille.departement_id)
            grilles.append(grille)
    return grilles


def grille(request, departement: str):
    dep = Departement.objects.filter(code=departement[:3]).first()
    if dep is None:
        raise Http404("Département inconnu.")
    en_vigueur = grille_en_vigueur(dep.code)
    return render(
        request,
        "attributions/cotation_grille.html",
        {
            "title": f"La grille de cotation : {dep.nom} ({dep.code})",
            "departement": dep,
            "grille": en_vigueur,
            "phrases": [en_francais(r) for r in regles_de(en_vigueur)] if en_vigueur else [],
            "versions": GrilleCotation.objects.filter(departement=dep).order_by("-version"),
        },
    )
