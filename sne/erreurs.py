"""Error pages that tell a person what happened and what to do, in French."""

from django.shortcuts import render


def page_introuvable(request, exception=None):
    return render(request, "erreurs/404.html", status=404)


def erreur_serveur(request):
    # No context processors that could hit the database: this page must render when it is down.
    return render(request, "erreurs/500.html", status=500)
