"""Placeholder (replaced by the online application's pages)."""

from django.shortcuts import render


def commencer(request):
    return render(request, "portail/accueil.html")
