from django.urls import path

from . import views_fiche_collecte as views

app_name = "fiche_collecte"

urlpatterns = [
    path("", views.importer, name="importer"),
    path("apercu/", views.apercu, name="apercu"),
    path("appliquer/", views.appliquer, name="appliquer"),
    path("resultat/", views.resultat, name="resultat"),
    path("modele.<str:format>", views.modele, name="modele"),
]
