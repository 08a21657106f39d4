from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "sne.organisations"
    verbose_name = "Organisations et guichets enregistreurs"
