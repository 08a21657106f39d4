"""The renewal campaign's figures (mounted at /gestion/campagne/)."""

from django.urls import path

from . import courriers as vues

app_name = "campagne"

urlpatterns = [path("", vues.campagne, name="tableau")]
