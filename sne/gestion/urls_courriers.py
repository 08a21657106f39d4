"""The gestionnaire's letters: print runs, posting, returns (mounted at /gestion/courriers/)."""

from django.urls import path

from . import courriers as vues

app_name = "courriers"

urlpatterns = [
    path("", vues.courriers, name="liste"),
    path("tournees/", vues.preparer, name="preparer"),
    path("tournees/<int:pk>.pdf", vues.tournee_pdf, name="tournee_pdf"),
    path("tournees/<int:pk>/postee/", vues.tournee_postee, name="tournee_postee"),
    path("<int:pk>/retour/", vues.retour, name="retour"),
]
