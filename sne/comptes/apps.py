from django.apps import AppConfig


class ComptesConfig(AppConfig):
    name = "sne.comptes"
    verbose_name = "Comptes des utilisateurs"
