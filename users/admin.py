from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.files.uploadedfile import UploadedFile

from config import images
from users import services
from users.autocomplete import LabelledAutocompleteJsonView
from users.models import Office, User


def _autocomplete_view(request):
    return LabelledAutocompleteJsonView.as_view(admin_site=admin.site)(request)


# Autocompletes show each model admin's own label (agents by full name).
admin.site.autocomplete_view = _autocomplete_view


class HearthUserChangeForm(UserChangeForm):
    """Admin avatar uploads pass the same gate as the API's (``images.sanitized_upload``)."""

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"

    def clean_avatar(self):
        avatar = self.cleaned_data.get("avatar")
        if isinstance(avatar, UploadedFile):
            avatar, _verified = images.sanitized_upload(avatar)
        return avatar


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = HearthUserChangeForm
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
    actions = ["unlock_sign_in"]
    search_fields = [
        "username",
        "email",
        "first_name",
        "last_name",
        "office__name",
        "license_number",
    ]
    ordering = ["last_name", "first_name", "username"]

    def autocomplete_label(self, user):
        """``Brian Mitchell (bmitchell)``: the name staff know, the username to tell apart."""
        name = user.get_full_name()
        return f"{name} ({user.username})" if name else user.username

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

    @admin.action(description="Unlock sign-in (forget failed login attempts)")
    def unlock_sign_in(self, request, queryset):
        removed = sum(services.user_logins_unlock(user=user) for user in queryset)
        self.message_user(
            request,
            f"Unlocked {queryset.count()} account(s); {removed} failed-login record(s) removed. "
            "An address locked for failures against other accounts is unlocked under "
            "Axes \u2192 Access attempts.",
            messages.SUCCESS,
        )


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "state", "phone", "email", "updated_at"]
    list_filter = ["state"]
    search_fields = ["name", "city", "email"]
    readonly_fields = ["created_at", "updated_at"]
