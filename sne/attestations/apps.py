from django.apps import AppConfig


class AttestationsConfig(AppConfig):
    name = "sne.attestations"
    verbose_name = "Attestations et courriers"
