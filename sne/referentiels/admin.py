from django.contrib import admin

from .models import ChargementReferentiel, CodePostal, Commune, Departement, NomAlternatif


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ["code", "nom", "zone", "date_fermeture"]
    search_fields = ["code", "nom"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["code_insee", "nom", "type", "departement", "population", "date_fermeture"]
    list_filter = ["type", "departement"]
    search_fields = ["code_insee", "nom"]
    raw_id_fields = ["commune_parente"]


@admin.register(NomAlternatif)
class NomAlternatifAdmin(admin.ModelAdmin):
    list_display = ["nom", "nature", "commune"]
    search_fields = ["nom"]
    raw_id_fields = ["commune"]


@admin.register(CodePostal)
class CodePostalAdmin(admin.ModelAdmin):
    list_display = ["code", "libelle_acheminement", "commune"]
    search_fields = ["code", "libelle_acheminement"]
    raw_id_fields = ["commune"]


@admin.register(ChargementReferentiel)
class ChargementReferentielAdmin(admin.ModelAdmin):
    list_display = ["date", "compteurs"]
    readonly_fields = ["date", "sources", "compteurs"]
