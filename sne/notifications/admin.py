from django.contrib import admin

from .models import EvenementMessage, JourneeCampagne, Message, Tournee


class EvenementInline(admin.TabularInline):
    model = EvenementMessage
    extra = 0
    can_delete = False
    readonly_fields = ["type", "survenu_le", "source", "utilisateur", "details"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: a message and its events are proofs; they change only through the
    services (sending, posting, the provider's webhooks)."""

    list_display = ["demande", "type", "canal", "statut", "date_avis", "cree_le"]
    list_filter = ["type", "canal", "statut", "departement"]
    search_fields = ["demande__numero_unique", "identifiant_fournisseur"]
    inlines = [EvenementInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Tournee)
class TourneeAdmin(admin.ModelAdmin):
    list_display = ["pk", "departement", "nombre", "statut", "creee_le", "postee_le"]
    list_filter = ["statut", "departement"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(JourneeCampagne)
class JourneeCampagneAdmin(admin.ModelAdmin):
    list_display = ["date", "preavis", "radiations", "injoignables", "commencee_le", "terminee_le"]

    def has_change_permission(self, request, obj=None):
        return False
