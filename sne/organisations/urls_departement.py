"""Pages of the départements (mounted at /gestion/departements/): the file of contacts, the
table of associations and the requests of desks to their gestionnaire territorial."""

from django.urls import path

from . import views_associations as vues_associations
from . import views_departement as vues

app_name = "departement"

urlpatterns = [
    path("contacts/", vues.fichier_contacts, name="fichier_contacts"),
    path("contacts/<str:code>/xlsx/", vues.telecharger_contacts, name="telecharger_contacts"),
    path("contacts/<str:code>/envoyer/", vues.envoyer_contacts, name="envoyer_contacts"),
    path("associations/", vues_associations.associations, name="associations"),
    path(
        "associations/recherche/",
        vues_associations.recherche_associations,
        name="recherche_associations",
    ),
    path(
        "associations/<str:code>/ajouter/",
        vues_associations.ajouter_association_vue,
        name="ajouter_association",
    ),
    path(
        "associations/<str:code>/importer/",
        vues_associations.importer_associations,
        name="importer_associations",
    ),
    path(
        "associations/<int:pk>/etat/", vues_associations.etat_association, name="etat_association"
    ),
    path("demandes/", vues.demandes, name="demandes"),
    path("demandes/guichet/", vues.mes_demandes, name="mes_demandes"),
    path("demandes/<int:pk>/", vues.demande, name="demande"),
]
