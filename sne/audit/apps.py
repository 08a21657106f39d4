from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "sne.audit"
    verbose_name = "Journal d'audit"
