from django.shortcuts import render
from django.views.decorators.http import require_GET

from .forms import RechercheCommuneForm
from .models import Departement
from .services import rechercher_communes, resoudre_commune


@require_GET
def communes(request):
    """Find a commune, its INSEE code and postal codes: a page for agents and the public."""
    q = request.GET.get("commune", "").strip()
    departement = request.GET.get("departement", "").strip() or None
    resolution = resoudre_commune(q, departement) if q else None
    departements = Departement.objects.filter(date_fermeture=None)
    form = RechercheCommuneForm(
        initial={"commune": q, "departement": departement or ""}, departements=departements
    )
    return render(
        request,
        "referentiels/communes.html",
        {
            "title": "Communes et codes postaux",
            "q": q,
            "departement": departement,
            "form": form,
            "resolution": resolution,
        },
    )


@require_GET
def autocompletion(request):
    """htmx partial: the suggestions of CommuneAutocompleteWidget."""
    champ = request.GET.get("champ", "commune")
    q = request.GET.get(champ, request.GET.get("q", "")).strip()[:200]
    departement = request.GET.get("departement", "").strip() or None
    suggestions = rechercher_communes(q, departement) if q else []
    return render(
        request,
        "referentiels/suggestions.html",
        {"suggestions": suggestions, "q": q, "champ": champ},
    )
