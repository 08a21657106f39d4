"""The portal's pages, under /portail/ (sne/urls.py)."""

from django.urls import include, path

from . import views

app_name = "portail"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    # Logging in (code télédemandeur, activation link) and the signed-in applicant's pages.
    path("", include("sne.portail.urls_compte")),
    # Applying online: the draft, its steps, the identity document, the registration.
    path("demande-en-ligne/", include("sne.portail.urls_demande_en_ligne")),
    path("franceconnect/", include("sne.portail.urls_franceconnect")),
]
