"""Placeholder (replaced by the login and follow-up pages)."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .session import demandeur_requis, fermer_session


def connexion(request):
    return render(request, "portail/accueil.html")


@require_POST
def deconnexion(request):
    fermer_session(request)
    return redirect("portail:accueil")


@demandeur_requis
def ma_demande(request):
    return render(request, "portail/accueil.html")
