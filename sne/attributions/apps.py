from django.apps import AppConfig


class AttributionsConfig(AppConfig):
    name = "sne.attributions"
    verbose_name = "Attributions (commissions d'attribution, logements, baux)"

    def ready(self):
        from sne.demandes.onglets import Onglet, ajouter_onglet

        from .onglet import contexte_onglet

        ajouter_onglet(
            Onglet(
                code="attributions",
                libelle="Attributions",
                gabarit="attributions/_onglet_demande.html",
                contexte=contexte_onglet,
                apres="pieces",
            )
        )
