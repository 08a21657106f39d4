from django.contrib import admin

from .models import EvenementAudit


@admin.register(EvenementAudit)
class EvenementAuditAdmin(admin.ModelAdmin):
    list_display = ["horodatage", "action", "utilisateur", "guichet", "objet_type", "resume"]
    list_filter = ["action"]
    search_fields = ["utilisateur__email", "objet_id", "resume"]
    readonly_fields = [f.name for f in EvenementAudit._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
