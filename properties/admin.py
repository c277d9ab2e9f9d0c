import csv
import math
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from config import images
from properties import admin_leads, history, services  # noqa: F401 (registers leads)
from properties.admin_display import AgentFilter, address_query, agent_name, money
from properties.conditional import listing_etag
from properties.models import ListingChange, OpenHouse, PriceChange, Property, PropertyPhoto
from properties.reso import RESO_FIELDS, csv_safe, listing_to_reso

HISTORY_SHOWN = 50

# The app list beside every page costs 300 px: at 1280 px the listings table and
# the change page need them. Breadcrumbs and the index still lead everywhere.
admin.site.enable_nav_sidebar = False


def map_tile(latitude: float, longitude: float, zoom: int = 15) -> tuple[int, int, int]:
    """The slippy-map tile (x, y, zoom) that contains a point (Web Mercator)."""
    n = 2**zoom
    x = int((longitude + 180.0) / 360.0 * n)
    lat = math.radians(latitude)
    y = int((1.0 - math.asinh(math.tan(lat)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1), zoom


CONFLICT = (
    "Someone else changed this listing after you opened it. Reload the page "
    "to see their changes, then make yours again."
)


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several images in one file input; each passes the API's verification."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        verified = []
        for upload in files:
            try:
                verified.append(images.sanitized_upload(super().clean(upload, initial)))
            except ValidationError as exc:
                raise ValidationError(f"{upload.name}: {' '.join(exc.messages)}") from None
        return verified


class PropertyAdminForm(forms.ModelForm):
    """Carries the ETag of the listing as it was when the form was opened.

    Saving compares it with the stored listing, so a staff member never
    silently overwrites a change someone else saved in the meantime.
    """

    loaded_etag = forms.CharField(widget=forms.HiddenInput, required=False)
    add_photos = MultipleImageField(
        required=False, label="Add photos", help_text="Choose several at once; they go last."
    )
    # Filled by photo_order.js when staff drag the photos into a new order.
    photo_order = forms.CharField(widget=forms.HiddenInput, required=False)

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
    """Admin uploads pass the same gate as the API's (``images.sanitized_upload``).

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
            image, self.verified_image = images.sanitized_upload(image)
        elif not image and not self.instance.source_url:
            # Only a photo an MLS sync references by URL has no upload.
            raise forms.ValidationError("Choose an image to upload.", code="required")
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
    # Size shown under the preview, not in columns of its own: the table fits 1280 px.
    fields = ["thumbnail", "image", "caption", "position"]
    readonly_fields = ["thumbnail"]

    @admin.display(description="Preview")
    def thumbnail(self, photo):
        if not photo.image and not photo.source_url:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" style="max-height:80px;max-width:120px">'
            '<div class="hearth-photo-size">{} × {}</div>',
            photo.source_url or photo.image.url,
            photo.caption,
            photo.width or "?",
            photo.height or "?",
        )


class OpenHouseInline(admin.TabularInline):
    """Open houses; times are the property's local wall-clock times."""

    model = OpenHouse
    extra = 0
    fields = ["date", "start_time", "end_time", "type", "status", "remarks"]
    verbose_name_plural = "open houses (local time at the property)"


class PriceChangeInline(admin.TabularInline):
    """Price history is written by the database; staff read it here, with who changed it."""

    model = PriceChange
    extra = 0
    fields = ["changed_at", "old", "new", "changed_by"]
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request):
        # Both rules run in the same statement, so the listing change recorded with
        # the price change has its timestamp: one subquery, not a query per row.
        context = ListingChange.objects.filter(
            property=OuterRef("property"), changed_at=OuterRef("changed_at")
        ).values("context")[:1]
        return super().get_queryset(request).annotate(changed_by=Subquery(context))

    @admin.display(description="Old price")
    def old(self, change):
        return money(change.old_price)

    @admin.display(description="New price")
    def new(self, change):
        return money(change.new_price)

    @admin.display(description="Changed by")
    def changed_by(self, change):
        return change.changed_by or "—"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MarkSoldForm(forms.Form):
    sold_at = forms.DateField(label="Sale date", widget=forms.DateInput(attrs={"type": "date"}))
    sold_price = forms.DecimalField(
        label="Sale price", max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )


def _bulk_context(request, label: str) -> str:
    return history.actor_label(user=request.user, via=f"admin bulk action '{label}'")


def _status_action(status):
    def action(modeladmin, request, queryset):
        with history.change_context(_bulk_context(request, f"mark {status.label.lower()}")):
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
        "price_display",
        "status",
        "property_type",
        "agent",
        "updated_display",
    ]
    list_filter = [
        "status",
        "property_type",
        AgentFilter,
        "listed_at",
        ("archived_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["listing_agent"]
    list_per_page = 50
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
        "archived_at",
        "map_preview",
        "change_history",
    ]
    inlines = [PropertyPhotoInline, OpenHouseInline, PriceChangeInline]
    actions = [
        *(_status_action(status) for status in Property.Status if status != Property.Status.SOLD),
        "mark_sold",
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
                    "map_preview",
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
                    "archived_at",
                ]
            },
        ),
        ("Photos", {"fields": ["add_photos"]}),
        ("Change history", {"fields": ["change_history"]}),
        (None, {"fields": ["loaded_etag", "photo_order"], "classes": ["hidden"]}),
    ]

    class Media:
        css = {"all": ["hearth/admin/listing.css"]}
        js = ["hearth/admin/photo_order.js"]

    @admin.display(description="Price", ordering="price")
    def price_display(self, listing):
        return money(listing.price)

    @admin.display(description="Updated", ordering="updated_at")
    def updated_display(self, listing):
        # Compact, so the column fits beside the others at 1280 px.
        return timezone.localtime(listing.updated_at).strftime("%Y-%m-%d %H:%M")

    @admin.display(description="Listing agent", ordering="listing_agent__last_name")
    def agent(self, listing):
        return agent_name(listing.listing_agent)

    @admin.display(description="Map")
    def map_preview(self, listing):
        if listing.latitude is None or listing.longitude is None:
            return "No coordinates yet."
        coordinates = f"{listing.latitude:.5f}, {listing.longitude:.5f}"
        tile_url = settings.ADMIN_MAP_TILE_URL
        if not tile_url:
            # Offline and by default: the coordinates, nothing fetched.
            return format_html('<span class="hearth-coords">{}</span>', coordinates)
        x, y, zoom = map_tile(listing.latitude, listing.longitude)
        return format_html(
            '<figure class="hearth-map"><img src="{}" alt="Map around {}" width="256" '
            'height="256"><span class="hearth-map-pin" aria-hidden="true"></span>'
            "<figcaption>{}</figcaption></figure>",
            tile_url.format(z=zoom, x=x, y=y),
            coordinates,
            coordinates,
        )

    @admin.display(description="Changes")
    def change_history(self, listing):
        if listing.pk is None:
            return "—"
        changes = list(history.listing_history(listing_id=listing.pk)[:HISTORY_SHOWN])
        if not changes:
            return "No change since the listing was created."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    timezone.localtime(change.changed_at).strftime("%Y-%m-%d %H:%M:%S"),
                    change.context or "direct database write",
                    format_html_join(
                        "",
                        "<div><b>{}</b>: {} → {}</div>",
                        history.describe(change),
                    ),
                )
                for change in changes
            ),
        )
        return format_html(
            '<table class="hearth-history"><thead><tr><th scope="col">When</th>'
            '<th scope="col">Who or what</th><th scope="col">What changed</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            rows,
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "listing_agent":
            field.label_from_instance = agent_name
        return field

    def get_search_results(self, request, queryset, search_term):
        address = address_query(search_term)
        if address is not None:
            matches = queryset.filter(address)
            if matches.exists():
                return matches, False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="Address", ordering="street_address")
    def address_line(self, listing):
        return f"{listing.street_address} {listing.unit}".strip()

    # Deleting in the admin archives, as the API does: the confirmation page
    # lists nothing else, because nothing else goes (services.property_delete).
    def get_deleted_objects(self, objs, request):
        return [str(listing) for listing in objs], {"listings": len(objs)}, set(), []

    def delete_model(self, request, obj):
        services.properties_archive(queryset=Property.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.properties_archive(queryset=queryset)

    @admin.display(description="Days on market")
    def days_on_market(self, listing):
        return listing.days_on_market

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            if request.method != "POST":
                return super().changeform_view(request, object_id, form_url, extra_context)
            with history.change_context(history.actor_label(user=request.user, via="admin")):
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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        listing = form.instance
        for upload, verified in form.cleaned_data.get("add_photos") or []:
            services.photo_add(
                listing=listing, image=upload, width=verified.width, height=verified.height
            )
        order = [int(pk) for pk in (form.cleaned_data.get("photo_order") or "").split(",") if pk]
        if order:
            # Photos deleted in this submission drop out; ones added go last.
            existing = list(listing.photos.values_list("pk", flat=True))
            kept = [pk for pk in order if pk in existing]
            services.photos_reorder(
                listing=listing, photo_ids=kept + [pk for pk in existing if pk not in kept]
            )

    @admin.action(description="Mark selected listings as sold (asks for date and price)")
    def mark_sold(self, request, queryset):
        form = MarkSoldForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            with history.change_context(_bulk_context(request, "mark sold")):
                changed = services.properties_mark_sold(queryset=queryset, **form.cleaned_data)
            self.message_user(request, f"{changed} listing(s) marked sold.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Mark listings sold",
            "form": form,
            "listings": queryset.select_related("listing_agent")[:100],
            "count": queryset.count(),
            "opts": self.model._meta,
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            "action": "mark_sold",
        }
        return TemplateResponse(request, "admin/properties/property/mark_sold.html", context)

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
