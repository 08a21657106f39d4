from django.apps import AppConfig


class AttributionsConfig(AppConfig):
    name = "sne.attributions"
    verbose_name = "Attributions (commissions d'attribution, logements, baux)"
