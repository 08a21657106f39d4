"""The activity of a desk, for its agents (/statistiques/guichet/, `vues_guichet.py`)."""

from django.urls import path

from . import vues_guichet

app_name = "statistiques_guichet"

urlpatterns = [path("", vues_guichet.activite, name="activite")]
