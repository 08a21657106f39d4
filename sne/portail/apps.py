from django.apps import AppConfig


class PortailConfig(AppConfig):
    name = "sne.portail"
    verbose_name = "Portail grand public"
