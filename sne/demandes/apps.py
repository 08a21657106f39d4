from django.apps import AppConfig


class DemandesConfig(AppConfig):
    name = "sne.demandes"
    verbose_name = "Demandes de logement social"
