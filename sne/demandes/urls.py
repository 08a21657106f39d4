"""The agent's pages for demandes, mounted at /demandes/ (the attestation's download is
`sne.attestations.urls_demandes`, mounted beside)."""

from django.urls import path

from .views import actions, assistant, fiche, modification, recherche, separation

app_name = "demandes"  # also the namespace given in sne/urls.py

urlpatterns = [
    path("", recherche.recherche, name="recherche"),
    path("nouvelle/", assistant.nouvelle, name="nouvelle"),
    path("nouvelle/<str:assistant>/abandonner/", assistant.abandonner, name="abandonner_saisie"),
    path("nouvelle/<str:assistant>/<slug:etape>/", assistant.assistant, name="assistant"),
    path("<str:numero>/", fiche.demande, name="demande"),
    path("<str:numero>/modifier/", modification.modifier, name="modifier"),
    path("<str:numero>/renouveler/", actions.renouveler, name="renouveler"),
    path("<str:numero>/radier/", actions.radier, name="radier"),
    path("<str:numero>/reactiver/", actions.reactiver, name="reactiver"),
    path("<str:numero>/dupliquer/", separation.separer, name="dupliquer"),
]
