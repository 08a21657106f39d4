from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "sne.demo"
    verbose_name = "Données de démonstration"
