"""The gestionnaire's page of the cotation (/gestion/cotation/, `vues_gestion.py`)."""

from django.urls import path

from . import vues_gestion

app_name = "gestion_cotation"

urlpatterns = [path("", vues_gestion.cotation, name="grille")]
