"""The statistics pages of the back office (/gestion/statistiques/, `vues.py`)."""

from django.urls import path

from . import vues

app_name = "statistiques"

urlpatterns = [path("", vues.statistiques, name="tableau")]
