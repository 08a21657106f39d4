"""The agent's pages for demandes, mounted at /demandes/."""

from django.urls import path

from . import views

app_name = "demandes"

urlpatterns = [
    path("", views.recherche, name="recherche"),
    path("nouvelle/", views.nouvelle, name="nouvelle"),
    path("nouvelle/<str:assistant>/<slug:etape>/", views.assistant, name="assistant"),
    path("<str:numero>/", views.demande, name="demande"),
    path("<str:numero>/modifier/", views.modifier, name="modifier"),
    path("<str:numero>/renouveler/", views.renouveler, name="renouveler"),
    path("<str:numero>/radier/", views.radier, name="radier"),
    path("<str:numero>/reactiver/", views.reactiver, name="reactiver"),
    path("<str:numero>/dupliquer/", views.dupliquer, name="dupliquer"),
    path("<str:numero>/attestation/", views.attestation, name="attestation"),
]
