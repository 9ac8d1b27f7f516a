from django.contrib import admin

from readerstudy.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only, in the admin too."""

    list_display = ["at", "actor_name", "action", "study", "target_type", "target_id", "ip_address"]
    list_filter = ["action", "study"]
    search_fields = ["actor_name", "action", "target_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
