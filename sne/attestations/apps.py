from django.apps import AppConfig


class AttestationsConfig(AppConfig):
    name = "sne.attestations"
    verbose_name = "Attestations et courriers"

    def ready(self):
        from . import tasks  # noqa: F401  (connects the receivers of the demande's signals)
