from django.urls import path

from . import views_gestion

app_name = "gestion_comptes"

urlpatterns = [
    path("", views_gestion.utilisateurs, name="utilisateurs"),
    path("<int:pk>/", views_gestion.utilisateur, name="utilisateur"),
    path(
        "<int:pk>/double-authentification/",
        views_gestion.reinitialiser_double_facteur,
        name="reinitialiser_double_facteur",
    ),
]
