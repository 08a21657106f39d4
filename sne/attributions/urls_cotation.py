"""The public pages of the cotation, without login (`vues_cotation.py`)."""

from django.urls import path

from . import vues_cotation

app_name = "cotation"

urlpatterns = [
    path("", vues_cotation.territoires, name="territoires"),
    path("<str:departement>/", vues_cotation.grille, name="grille"),
]
