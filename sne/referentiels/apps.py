from django.apps import AppConfig


class ReferentielsConfig(AppConfig):
    name = "sne.referentiels"
    verbose_name = "Référentiels géographiques"
