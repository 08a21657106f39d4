from django.apps import AppConfig


class ComptesConfig(AppConfig):
    name = "sne.comptes"
    verbose_name = "Comptes des utilisateurs"

    def ready(self):
        from . import signaux  # noqa: F401  (audit entries for logins)
