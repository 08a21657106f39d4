from django.contrib import admin
from django.urls import include, path

from sne import views
from sne.api.api import api
from sne.attestations import urls_demandes as attestation_demande
from sne.demandes import urls as demandes

# The demande's pages, and its attestation's download which the attestations app serves.
pages_demandes = demandes.urlpatterns + attestation_demande.urlpatterns

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("comptes/", include("sne.comptes.urls")),
    path("comptes/securite/", include("sne.comptes.urls_securite")),
    path("gestion/", include("sne.organisations.urls")),
    path("gestion/utilisateurs/", include("sne.comptes.urls_gestion")),
    path("gestion/fiche-collecte/", include("sne.organisations.urls_fiche_collecte")),
    path("gestion/departements/", include("sne.organisations.urls_departement")),
    path("gestion/journal/", include("sne.gestion.urls")),
    path("gestion/doublons/", include("sne.gestion.urls_doublons")),
    path("gestion/courriers/", include("sne.attestations.urls")),
    path("referentiels/", include("sne.referentiels.urls")),
    path("demandes/", include((pages_demandes, "demandes"))),
    path("lots/", include("sne.lots.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler404 = "sne.erreurs.page_introuvable"
handler500 = "sne.erreurs.erreur_serveur"
