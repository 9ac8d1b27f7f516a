"""The admin shows the project's data read-only: every change goes through the audited services
(the coordinator's console, the reading API, the management commands), so "every change is
audited" holds whatever path a staff member takes. Accounts and permissions stay editable."""

from django.contrib import admin

from readerstudy.audit.models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """No adding, changing or deleting; viewing only (for staff with the view permission)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline:
    """The same for inlines (mix in before TabularInline/StackedInline)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit log is append-only, in the admin too."""

    list_display = ["at", "actor_name", "action", "study", "target_type", "target_id", "ip_address"]
    list_filter = ["action", "study"]
    search_fields = ["actor_name", "action", "target_id"]
