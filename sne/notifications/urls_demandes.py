"""The desk's pages about messages, among the demande's pages (`demandes` namespace: the
demandes app does not import the apps built on it; `sne/urls.py` mounts these beside)."""

from django.urls import path

from . import vues_demande as vues

urlpatterns = [
    path("demandeurs-a-recontacter/", vues.a_corriger, name="a_corriger"),
    path("<str:numero>/courriers/<int:pk>.pdf", vues.courrier_pdf, name="courrier_pdf"),
]
