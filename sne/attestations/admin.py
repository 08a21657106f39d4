from django.contrib import admin

from .models import ParametresDepartement


@admin.register(ParametresDepartement)
class ParametresDepartementAdmin(admin.ModelAdmin):
    list_display = ["departement", "delai_anormalement_long_mois", "mis_a_jour_le"]
    search_fields = ["departement__code", "departement__nom"]
    readonly_fields = ["mis_a_jour_le"]
    autocomplete_fields = ["departement"]
