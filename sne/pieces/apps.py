from django.apps import AppConfig


class PiecesConfig(AppConfig):
    name = "sne.pieces"
    verbose_name = "Pièces justificatives (dossier unique)"
