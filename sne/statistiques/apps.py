from django.apps import AppConfig


class StatistiquesConfig(AppConfig):
    name = "sne.statistiques"
    verbose_name = "Statistiques (instantanés quotidiens, données ouvertes)"
