from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from users.models import Office, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "role",
        "is_staff",
        "date_joined",
    ]
    list_select_related = ["office"]
    autocomplete_fields = ["office"]
    list_filter = ["role", "is_staff", "is_superuser", "is_active"]
    search_fields = [
        "username",
        "email",
        "first_name",
        "last_name",
        "office__name",
        "license_number",
    ]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            "Hearth profile",
            {"fields": ("role", "phone", "bio", "avatar", "office", "license_number")},
        ),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "role", "password1", "password2"),
            },
        ),
    )


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "state", "phone", "email", "updated_at"]
    list_filter = ["state"]
    search_fields = ["name", "city", "email"]
    readonly_fields = ["created_at", "updated_at"]
