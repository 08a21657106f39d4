"""The public open-data pages (/donnees-ouvertes/, `vues_ouvertes.py`)."""

from django.urls import path

from . import vues_ouvertes

app_name = "donnees_ouvertes"

urlpatterns = [
    path("", vues_ouvertes.accueil, name="accueil"),
    path("schema-demandes-actives.json", vues_ouvertes.schema, name="schema"),
    path("<str:mois>/demandes-actives.csv", vues_ouvertes.fichier, name="france"),
    path(
        "<str:mois>/<str:departement>/demandes-actives.csv",
        vues_ouvertes.fichier,
        name="departement",
    ),
]
