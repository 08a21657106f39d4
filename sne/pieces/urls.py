"""The desks' pages of the dossier unique. A pièce is named by its random identifier (`uid`),
never by its sequential id; its file is only ever served by `telecharger` (rights, audit)."""

from django.urls import path

from . import views

app_name = "pieces"

urlpatterns = [
    path("liste-des-pieces/", views.aide, name="aide"),
    path("demande/<str:numero>/ajouter/", views.ajouter, name="ajouter"),
    path("<str:uid>/", views.telecharger, name="telecharger"),
    path("<str:uid>/valider/", views.valider, name="valider"),
    path("<str:uid>/refuser/", views.refuser, name="refuser"),
    path("<str:uid>/remplacer/", views.remplacer, name="remplacer"),
]
