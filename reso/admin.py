"""The RESO Web API in the admin: the event log, read-only. API clients are
registered under "Django OAuth Toolkit › Applications" (client type confidential,
grant type client credentials)."""

from django.contrib import admin

from reso.models import EntityEvent


@admin.register(EntityEvent)
class EntityEventAdmin(admin.ModelAdmin):
    """The append-only change log consumers replicate from; written by the database only."""

    list_display = ("id", "resource_name", "resource_record_key", "created_at")
    list_filter = ("resource_name",)
    search_fields = ("resource_record_key",)
    show_full_result_count = False  # the log grows without bound: no COUNT(*) per page

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
