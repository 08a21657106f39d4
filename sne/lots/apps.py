from django.apps import AppConfig


class LotsConfig(AppConfig):
    name = "sne.lots"
    verbose_name = "Lots de demandes (API)"

    def ready(self):
        from . import tasks  # noqa: F401  (registers the Huey tasks)
