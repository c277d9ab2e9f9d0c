import csv

from django import forms
from django.contrib import admin, messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html

from properties import images, services
from properties.conditional import listing_etag
from properties.models import OpenHouse, PriceChange, Property, PropertyPhoto
from properties.reso import RESO_FIELDS, csv_safe, listing_to_reso

CONFLICT = (
    "Someone else changed this listing after you opened it. Reload the page "
    "to see their changes, then make yours again."
)


class PropertyAdminForm(forms.ModelForm):
    """Carries the ETag of the listing as it was when the form was opened.

    Saving compares it with the stored listing, so a staff member never
    silently overwrites a change someone else saved in the meantime.
    """

    loaded_etag = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Property
        fields = []  # PropertyAdmin.fieldsets choose the fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_etag"].initial = listing_etag(self.instance)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            try:
                services.property_check_unchanged(
                    listing=self.instance, if_match=cleaned.get("loaded_etag") or '""'
                )
            except (services.ListingChanged, Property.DoesNotExist):
                raise forms.ValidationError(CONFLICT, code="conflict") from None
        return cleaned


class PropertyPhotoForm(forms.ModelForm):
    """Admin uploads pass the same verification as the API's (``images.verify_image``).

    Left blank, the position is the API's default: after the listing's last photo.
    """

    position = forms.IntegerField(
        required=False, min_value=0, max_value=32767, help_text="Blank: after the last photo."
    )

    class Meta:
        model = PropertyPhoto
        fields = ["image", "caption", "position"]

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if isinstance(image, UploadedFile):
            image, self.verified_image = images.verified_upload(image)
        return image

    def _post_clean(self):
        # A blank position stays None until photo_add (or the photo's current one) fills it.
        position = self.cleaned_data.get("position")
        super()._post_clean()
        if position is None and self.instance.pk:
            self.instance.position = PropertyPhoto.objects.get(pk=self.instance.pk).position


class PropertyPhotoInline(admin.TabularInline):
    model = PropertyPhoto
    form = PropertyPhotoForm
    extra = 0
    fields = ["thumbnail", "image", "caption", "position", "width", "height"]
    readonly_fields = ["thumbnail", "width", "height"]

    @admin.display(description="Preview")
    def thumbnail(self, photo):
        if not photo.image:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" style="max-height:80px;max-width:120px">',
            photo.image.url,
            photo.caption,
        )


class OpenHouseInline(admin.TabularInline):
    """Open houses; times are the property's local wall-clock times."""

    model = OpenHouse
    extra = 0
    fields = ["date", "start_time", "end_time", "type", "status", "remarks"]
    verbose_name_plural = "open houses (local time at the property)"


class PriceChangeInline(admin.TabularInline):
    """Price history is written by the database; staff read it here."""

    model = PriceChange
    extra = 0
    fields = ["changed_at", "old_price", "new_price"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _status_action(status):
    def action(modeladmin, request, queryset):
        changed = services.properties_set_status(queryset=queryset, status=status)
        modeladmin.message_user(
            request, f"{changed} listing(s) marked {status.label.lower()}.", messages.SUCCESS
        )

    action.__name__ = f"mark_{status.value}"
    action.short_description = f"Mark selected listings as {status.label.lower()}"
    return action


@admin.register(Property)
class PropertyAdmin(admin.ModelAdmin):
    form = PropertyAdminForm
    list_display = [
        "mls_number",
        "address_line",
        "city",
        "price",
        "status",
        "property_type",
        "listing_agent",
        "updated_at",
    ]
    list_filter = ["status", "property_type", "listing_agent", "listed_at"]
    list_select_related = ["listing_agent"]
    search_fields = ["street_address", "city", "postal_code", "mls_number"]
    date_hierarchy = "listed_at"
    autocomplete_fields = ["listing_agent"]
    readonly_fields = [
        "bathrooms",
        "days_on_market",
        "status_changed_at",
        "price_changed_at",
        "photos_changed_at",
        "created_at",
        "updated_at",
    ]
    inlines = [PropertyPhotoInline, OpenHouseInline, PriceChangeInline]
    actions = [
        *(_status_action(status) for status in Property.Status),
        "export_reso_csv",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "mls_number",
                    "status",
                    "property_type",
                    "price",
                    "original_list_price",
                    "listing_agent",
                    "internet_display",
                    "originating_system",
                ]
            },
        ),
        (
            "Address",
            {
                "fields": [
                    "street_address",
                    "unit",
                    "city",
                    "state",
                    "postal_code",
                    "country",
                    "latitude",
                    "longitude",
                ]
            },
        ),
        (
            "Details",
            {
                "fields": [
                    "bedrooms",
                    "bathrooms_full",
                    "bathrooms_half",
                    "bathrooms",
                    "living_area",
                    "lot_size",
                    "year_built",
                    "description",
                ]
            },
        ),
        (
            "Dates",
            {
                "fields": [
                    "listed_at",
                    "sold_at",
                    "sold_price",
                    "days_on_market",
                    "status_changed_at",
                    "price_changed_at",
                    "photos_changed_at",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
        (None, {"fields": ["loaded_etag"], "classes": ["hidden"]}),
    ]

    @admin.display(description="Address", ordering="street_address")
    def address_line(self, listing):
        return f"{listing.street_address} {listing.unit}".strip()

    @admin.display(description="Days on market")
    def days_on_market(self, listing):
        return listing.days_on_market

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.ListingChanged:
            # Someone saved between the form's check and the locked write: nothing
            # of this submission was kept (the admin's transaction rolled back).
            self.message_user(request, CONFLICT, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        # The API's services: the same row lock, conflict rule and agent rule.
        if not change:
            services.property_create(listing=obj, user=request.user)
            return
        fields = {field.name for field in Property._meta.concrete_fields}
        data = {name: getattr(obj, name) for name in form.changed_data if name in fields}
        stored = services.property_update(
            listing=obj, data=data, if_match=form.cleaned_data.get("loaded_etag") or '""'
        )
        obj.__dict__.update(
            {f.attname: getattr(stored, f.attname) for f in Property._meta.concrete_fields}
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not PropertyPhoto:
            return super().save_formset(request, form, formset, change)
        # Photos through the API's services: the position rule, the listing touched.
        photos = formset.save(commit=False)
        for photo in formset.deleted_objects:
            services.photo_delete(photo=photo)
        for photo_form in formset.forms:
            photo = photo_form.instance
            if photo not in photos:
                continue
            if photo.pk is None:
                verified = photo_form.verified_image
                photo_form.instance = services.photo_add(
                    listing=form.instance,
                    image=photo_form.cleaned_data["image"],
                    width=verified.width,
                    height=verified.height,
                    caption=photo.caption,
                    position=photo_form.cleaned_data.get("position"),
                )
            else:
                services.photo_update(photo=photo)

    @admin.action(description="Export selected listings as CSV (RESO fields)")
    def export_reso_csv(self, request, queryset):
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="listings-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow(RESO_FIELDS)
        for listing in queryset.with_reso_data().iterator(chunk_size=2000):
            writer.writerow(csv_safe(value) for value in listing_to_reso(listing).values())
        return response
