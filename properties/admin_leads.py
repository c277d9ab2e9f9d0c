"""Admin pages for leads: inquiries and favourites."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from properties import services
from properties.admin_display import AgentFilter, agent_name
from properties.models import Favorite, Inquiry


class AnsweredFilter(admin.SimpleListFilter):
    title = "answered"
    parameter_name = "answered"

    def lookups(self, request, model_admin):
        return [("no", "Awaiting an answer"), ("yes", "Answered")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(answered_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(answered_at__isnull=False)
        return queryset


class ListingAgentFilter(AgentFilter):
    """The agent of the listing a lead is about."""

    field_path = "property__listing_agent_id"


class InquiryAdminForm(forms.ModelForm):
    answered = forms.BooleanField(
        required=False, help_text="Tick once the sender has had an answer."
    )

    class Meta:
        model = Inquiry
        fields = ["property", "name", "email", "phone", "message"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answered"].initial = self.instance.answered_at is not None


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    form = InquiryAdminForm
    list_display = ["created_at", "name", "email", "listing", "agent", "answered"]
    list_filter = [AnsweredFilter, ListingAgentFilter, "created_at"]
    list_select_related = ["property", "property__listing_agent"]
    search_fields = ["name", "email", "message", "property__mls_number", "property__street_address"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["property"]
    readonly_fields = ["created_at", "answered_at", "answered_by", "sender"]
    fields = [
        "property",
        "sender",
        "name",
        "email",
        "phone",
        "message",
        "answered",
        "created_at",
        "answered_at",
        "answered_by",
    ]
    actions = ["mark_answered", "mark_waiting"]

    @admin.display(description="Listing", ordering="property__mls_number")
    def listing(self, inquiry):
        return f"{inquiry.property.mls_number} · {inquiry.property.street_address}"

    @admin.display(description="Agent", ordering="property__listing_agent__last_name")
    def agent(self, inquiry):
        return agent_name(inquiry.property.listing_agent)

    @admin.display(description="Answered", boolean=True, ordering="answered_at")
    def answered(self, inquiry):
        return inquiry.answered_at is not None

    def _set_answered(self, request, queryset, answered: bool):
        # One UPDATE whatever the selection; the service is the per-lead path.
        if answered:
            changed = queryset.filter(answered_at__isnull=True).update(
                answered_at=timezone.now(), answered_by=request.user
            )
        else:
            changed = queryset.filter(answered_at__isnull=False).update(
                answered_at=None, answered_by=None
            )
        state = "answered" if answered else "awaiting an answer"
        self.message_user(request, f"{changed} inquiry(ies) marked {state}.", messages.SUCCESS)

    @admin.action(description="Mark selected inquiries answered")
    def mark_answered(self, request, queryset):
        self._set_answered(request, queryset, True)

    @admin.action(description="Mark selected inquiries as awaiting an answer")
    def mark_waiting(self, request, queryset):
        self._set_answered(request, queryset, False)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "answered" in form.changed_data:
            services.inquiry_set_answered(
                inquiry=obj, answered=form.cleaned_data["answered"], user=request.user
            )


@admin.register(Favorite)
class FavoriteAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "listing", "agent"]
    list_filter = [ListingAgentFilter, "created_at"]
    list_select_related = ["user", "property", "property__listing_agent"]
    search_fields = ["user__username", "user__email", "property__mls_number"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["user", "property"]

    @admin.display(description="Listing", ordering="property__mls_number")
    def listing(self, favorite):
        return f"{favorite.property.mls_number} · {favorite.property.street_address}"

    @admin.display(description="Agent", ordering="property__listing_agent__last_name")
    def agent(self, favorite):
        return agent_name(favorite.property.listing_agent)
