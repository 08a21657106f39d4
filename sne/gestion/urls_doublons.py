"""The gestionnaire's pages about duplicates (mounted at /gestion/doublons/)."""

from django.urls import path

from . import doublons as vues

app_name = "doublons"

urlpatterns = [
    path("creations-forcees/", vues.creations_forcees, name="creations_forcees"),
    path("creations-forcees/<int:pk>/", vues.creation_forcee, name="creation_forcee"),
    path("audits/", vues.audits_doublons, name="audits"),
    path("audits/<int:pk>/", vues.audit, name="audit"),
    path("audits/<int:pk>/paires.xlsx", vues.telecharger_audit, name="telecharger"),
    path("paires/<int:pk>/", vues.paire, name="paire"),
    path("paires/<int:pk>/decision/", vues.decider, name="decider"),
]
