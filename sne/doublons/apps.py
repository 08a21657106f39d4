from django.apps import AppConfig


class DoublonsConfig(AppConfig):
    name = "sne.doublons"
    verbose_name = "Détection des doublons"
