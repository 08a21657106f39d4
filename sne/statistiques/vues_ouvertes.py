"""The public open-data pages (/donnees-ouvertes/, no login): the months published, each
month's file for France or for one département (CSV, UTF-8, comma), and its Table Schema
description. Counts only, protected (`donnees_ouvertes.py`, docs/open-data.md)."""

from datetime import date
from pathlib import Path

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from sne.referentiels.models import Departement

from .donnees_ouvertes import entete
from .models import FichierOuvert
from .secret import SEUIL

SCHEMA = Path(__file__).resolve().parent / "donnees" / "schema-demandes-actives.json"
CSV = "text/csv; charset=utf-8"


@require_GET
@cache_control(public=True, max_age=3600)
def accueil(request):
    mois = list(FichierOuvert.objects.order_by("-mois").values("mois", "jour").distinct())
    departements = Departement.objects.filter(
        code__in=FichierOuvert.objects.values("departement")
    ).order_by("code")
    return render(
        request,
        "statistiques/donnees_ouvertes.html",
        {
            "title": "Données ouvertes : les demandes de logement social actives",
            "mois": mois,
            "departements": departements,
            "seuil": SEUIL,
        },
    )


def _mois(texte: str) -> date:
    try:
        annee, numero = texte.split("-")
        return date(int(annee), int(numero), 1)
    except ValueError as exc:
        raise Http404("Ce mois n'existe pas : il s'écrit AAAA-MM.") from exc


@require_GET
@cache_control(public=True, max_age=3600)
def fichier(request, mois: str, departement: str | None = None):
    debut = _mois(mois)
    fichiers = FichierOuvert.objects.filter(mois=debut).order_by("departement")
    if departement is not None:
        fichiers = fichiers.filter(departement=departement)
    if not fichiers.exists():
        raise Http404("Aucun fichier n'est publié pour ce mois (ou ce département).")
    nom = f"sne-demandes-actives-{debut:%Y-%m}{'-' + departement if departement else ''}.csv"

    def morceaux():
        yield entete()
        # One département at a time: memory flat whatever the size of France's file.
        for pk in fichiers.values_list("pk", flat=True):
            yield FichierOuvert.objects.values_list("contenu", flat=True).get(pk=pk)

    reponse = StreamingHttpResponse(morceaux(), content_type=CSV)
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    return reponse


@require_GET
@cache_control(public=True, max_age=86400)
def schema(request):
    return FileResponse(SCHEMA.open("rb"), content_type="application/json")
