"""The listing filters of the API (and of market statistics), as one django-filter FilterSet.

Every parameter is parsed by a form field, so a bad value answers 400 keyed by
the parameter's name instead of reaching the database.
"""

import datetime
from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import extend_schema_field

from config.filters import LARGEST_ID, FilterSet, IntegerFilter, MultipleChoiceFilter
from properties import geo
from properties.models import Property

MAX_RADIUS_KM = 500
DEFAULT_RADIUS_KM = 10
MAX_PRICE_DIGITS = 14
LARGEST_PRICE = Decimal("999999999999.99")


class DateOrDateTimeField(forms.CharField):
    """An ISO 8601 date or datetime; a date means its midnight, naive means UTC."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            parsed = parse_datetime(value)
            if parsed is None:
                day = parse_date(value)
                if day is None:
                    raise ValueError
                parsed = datetime.datetime.combine(day, datetime.time.min)
        except ValueError:
            raise forms.ValidationError(
                "Enter an ISO 8601 date or datetime, e.g. 2026-05-01 or 2026-05-01T12:00:00Z.",
                code="invalid",
            ) from None
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, datetime.UTC)
        try:
            # PostgreSQL accepts UTC offsets only up to 15:59; in UTC any valid one works.
            return parsed.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError("Date out of range.", code="invalid") from None


class DateOrDateTimeFilter(django_filters.Filter):
    field_class = DateOrDateTimeField


class FloatListField(forms.CharField):
    """Comma-separated numbers, exactly ``count`` of them."""

    def __init__(self, *args, count, example, **kwargs):
        self.count, self.example = count, example
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            numbers = [float(part) for part in value.split(",")]
        except ValueError:
            numbers = []
        if len(numbers) != self.count or any(
            n != n or n in (float("inf"), float("-inf")) for n in numbers
        ):
            raise forms.ValidationError(
                f"Expected {self.count} comma-separated numbers, e.g. {self.example}.",
                code="invalid",
            )
        return numbers


class BoundingBoxField(FloatListField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, count=4, example="-97.8,30.2,-97.6,30.4", **kwargs)

    def to_python(self, value):
        numbers = super().to_python(value)
        if numbers is None:
            return None
        min_lng, min_lat, max_lng, max_lat = numbers
        if not (-180 <= min_lng <= 180 and -180 <= max_lng <= 180):
            raise forms.ValidationError("Longitudes must be between -180 and 180.", code="invalid")
        if not (-90 <= min_lat <= max_lat <= 90):
            raise forms.ValidationError(
                "Latitudes must be between -90 and 90, min_lat not above max_lat.", code="invalid"
            )
        # min_lng > max_lng is a box that crosses the antimeridian.
        return geo.BoundingBox(min_lat, min_lng, max_lat, max_lng)


class PointField(FloatListField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, count=2, example="30.27,-97.74", **kwargs)

    def to_python(self, value):
        numbers = super().to_python(value)
        if numbers is None:
            return None
        latitude, longitude = numbers
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise forms.ValidationError(
                "Latitude must be between -90 and 90 and longitude between -180 and 180.",
                code="invalid",
            )
        return latitude, longitude


@extend_schema_field({"type": "string", "example": "-97.8,30.2,-97.6,30.4"})
class BoundingBoxFilter(django_filters.Filter):
    field_class = BoundingBoxField


@extend_schema_field({"type": "string", "example": "30.27,-97.74"})
class PointFilter(django_filters.Filter):
    field_class = PointField


class PropertyFilter(FilterSet):
    status = MultipleChoiceFilter(
        choices=Property.Status.choices,
        help_text="One or more: repeated (`status=active&status=pending`) or comma-separated.",
    )
    property_type = MultipleChoiceFilter(
        choices=Property.PropertyType.choices,
        help_text="One or more: repeated or comma-separated.",
    )
    # Bounds, not digit counts: any number the document allows compares fine.
    price_min = django_filters.NumberFilter(
        field_name="price", lookup_expr="gte", min_value=-LARGEST_PRICE, max_value=LARGEST_PRICE
    )
    price_max = django_filters.NumberFilter(
        field_name="price", lookup_expr="lte", min_value=-LARGEST_PRICE, max_value=LARGEST_PRICE
    )
    bedrooms_min = IntegerFilter(
        field_name="bedrooms", lookup_expr="gte", min_value=0, max_value=1000
    )
    bathrooms_min = django_filters.NumberFilter(
        field_name="bathrooms", lookup_expr="gte", min_value=0, max_value=Decimal("999.9")
    )
    living_area_min = IntegerFilter(
        field_name="living_area", lookup_expr="gte", min_value=0, max_value=LARGEST_ID
    )
    living_area_max = IntegerFilter(
        field_name="living_area", lookup_expr="lte", min_value=0, max_value=LARGEST_ID
    )
    year_built_min = IntegerFilter(
        field_name="year_built", lookup_expr="gte", min_value=0, max_value=9999
    )
    year_built_max = IntegerFilter(
        field_name="year_built", lookup_expr="lte", min_value=0, max_value=9999
    )
    city = django_filters.CharFilter(field_name="city", lookup_expr="iexact", max_length=100)
    state = django_filters.CharFilter(field_name="state", lookup_expr="iexact", max_length=64)
    postal_code = django_filters.CharFilter(
        field_name="postal_code", lookup_expr="iexact", max_length=20
    )
    location = django_filters.CharFilter(
        method="filter_location",
        max_length=255,
        help_text="Part of the street address, city or postal code (case-insensitive).",
    )
    listing_agent = IntegerFilter(
        field_name="listing_agent_id", min_value=1, max_value=LARGEST_ID, help_text="A user id."
    )
    created_after = DateOrDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateOrDateTimeFilter(field_name="created_at", lookup_expr="lt")
    updated_after = DateOrDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    open_house_after = django_filters.DateFilter(
        method="filter_open_house",
        help_text="Listings with an active open house on or after this date (YYYY-MM-DD).",
    )
    open_house_before = django_filters.DateFilter(
        method="filter_open_house",
        help_text="Listings with an active open house on or before this date (YYYY-MM-DD); "
        "with open_house_after, the same open house is in both bounds.",
    )
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=200,
        help_text="Words matched against address, city, postal code, description and MLS number.",
    )
    bbox = BoundingBoxFilter(
        method="filter_bbox",
        help_text="min_lng,min_lat,max_lng,max_lat",
    )
    near = PointFilter(
        method="filter_near",
        help_text="lat,lng: listings within radius_km, nearest first, each with distance_km.",
    )
    radius_km = django_filters.NumberFilter(
        method="filter_noop",
        # A Decimal: the form field compares Decimals, and Decimal("0.001") < 0.001.
        min_value=Decimal("0.001"),
        max_value=MAX_RADIUS_KM,
        help_text=f"With near: radius (default {DEFAULT_RADIUS_KM}, at most {MAX_RADIUS_KM}).",
    )
    # Declared last so an explicit ordering overrides search rank and distance.
    ordering = django_filters.OrderingFilter(
        fields=["price", "created_at", "updated_at", "listed_at", "living_area", "bedrooms"],
    )

    class Meta:
        model = Property
        fields = []

    def is_valid(self):
        valid = super().is_valid()
        data = self.form.cleaned_data if valid else {}
        if valid and data.get("radius_km") is not None and data.get("near") is None:
            self.form.add_error("radius_km", "radius_km needs near=lat,lng.")
            return False
        after, before = data.get("open_house_after"), data.get("open_house_before")
        if valid and after and before and after > before:
            self.form.add_error(
                "open_house_before", "open_house_before is before open_house_after."
            )
            return False
        return valid

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("ordering"):
            return queryset
        # An explicit ordering still needs a unique tie-breaker for stable pages;
        # running the same way as the first key lets one (key, id) index serve both.
        ordering = list(queryset.query.order_by)
        tie_breaker = "-id" if ordering and str(ordering[0]).startswith("-") else "id"
        return queryset.order_by(*ordering, tie_breaker)

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_open_house(self, queryset, name, value):
        # Both bounds apply to one open house, so the pair is filtered once, by the first seen.
        if getattr(self, "_open_house_filtered", False):
            return queryset
        self._open_house_filtered = True
        data = self.form.cleaned_data
        return queryset.with_open_house_between(
            after=data.get("open_house_after"), before=data.get("open_house_before")
        )

    def filter_location(self, queryset, name, value):
        return queryset.filter(
            Q(street_address__icontains=value)
            | Q(city__icontains=value)
            | Q(postal_code__icontains=value)
        )

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_bbox(self, queryset, name, box):
        return queryset.within_bbox(box)

    def filter_near(self, queryset, name, point):
        radius = self.form.cleaned_data.get("radius_km") or DEFAULT_RADIUS_KM
        return queryset.near(*point, float(radius))
