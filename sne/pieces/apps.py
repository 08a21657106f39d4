from django.apps import AppConfig


class PiecesConfig(AppConfig):
    name = "sne.pieces"
    verbose_name = "Pièces justificatives (dossier unique)"

    def ready(self):
        from sne.demandes.onglets import Onglet, ajouter_onglet

        from .views import contexte_onglet

        ajouter_onglet(
            Onglet(
                code="pieces",
                libelle="Pièces justificatives",
                gabarit="pieces/_onglet_demande.html",
                contexte=contexte_onglet,
                apres="souhaits",
            )
        )
