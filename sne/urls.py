from django.contrib import admin
from django.urls import include, path

from sne import views
from sne.api.api import api

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("comptes/", include("sne.comptes.urls")),
    path("referentiels/", include("sne.referentiels.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler404 = "sne.erreurs.page_introuvable"
handler500 = "sne.erreurs.erreur_serveur"
