import operator
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.reverse import reverse
from rest_framework.validators import UniqueValidator

from config import images
from config.serializers import CharField, ModelSerializer
from properties import timezones, validators
from properties.models import (
    MAX_BATHROOMS,
    MLS_NUMBER_TAKEN,
    Favorite,
    Inquiry,
    ListingChange,
    OpenHouse,
    PriceChange,
    Property,
    PropertyPhoto,
)
from users.models import User


class ListingAgentSerializer(ModelSerializer):
    """The agent as a listing shows them: who to call."""

    name = CharField(source="display_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name", "email", "phone"]
        read_only_fields = fields


def _listing_agent(agent):
    """ListingAgentSerializer's output (every field a plain column or property)."""
    if agent is None:
        return None
    return {
        "id": int(agent.pk),
        "name": str(agent.display_name),
        "email": None if agent.email is None else str(agent.email),
        "phone": None if agent.phone is None else str(agent.phone),
    }


class UpperCaseCharField(CharField):
    """Accepts ``us`` for ``US``: codes are case-insensitive to people, not to ISO."""

    def to_internal_value(self, data):
        return super().to_internal_value(data).upper()


class RoundedFloatField(serializers.FloatField):
    def __init__(self, *, decimals, **kwargs):
        self.decimals = decimals
        super().__init__(**kwargs)

    def to_representation(self, value):
        return round(super().to_representation(value), self.decimals)


class MlsNumberUniqueValidator(UniqueValidator):
    """Unique within the listing's MLS: among one source's listings, or among local ones.

    The API creates local listings; a synced listing staff edit stays in its source's numbering.
    """

    def __init__(self):
        super().__init__(queryset=Property.objects.all(), message=MLS_NUMBER_TAKEN)

    def __call__(self, value, serializer_field):
        instance = getattr(serializer_field.parent, "instance", None)
        if Property.objects.mls_number_taken(
            value,
            source_id=getattr(instance, "mls_source_id", None),
            exclude_pk=getattr(instance, "pk", None),
        ):
            raise serializers.ValidationError(self.message, code="unique")


class PropertySerializer(ModelSerializer):
    """A listing as the list and detail endpoints show it, and as clients write it."""

    # photo_count and primary_photo come from columns of the listing row that the
    # database keeps (the photo_summary rule, properties.database_rules), so a page
    # costs no query per row. (Not in
    # the docstring: drf-spectacular publishes that in the OpenAPI document.)

    url = serializers.HyperlinkedIdentityField(view_name="property-detail")
    listing_agent = ListingAgentSerializer(read_only=True, allow_null=True)
    listing_agent_id = serializers.PrimaryKeyRelatedField(
        source="listing_agent",
        queryset=User.objects.all(),
        write_only=True,
        required=False,
        allow_null=True,
        help_text="Staff only: the agent (user id with role agent) who lists this property.",
    )
    primary_photo = serializers.SerializerMethodField()
    photo_count = serializers.IntegerField(source="photo_total", read_only=True)
    country = UpperCaseCharField(
        max_length=2,
        default="US",
        validators=[validators.validate_country_code],
        help_text="ISO 3166-1 alpha-2 code.",
    )
    distance_km = serializers.SerializerMethodField(
        help_text="Kilometres from the `near` point; null when the list is not searched by `near`."
    )
    bathrooms = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        min_value=0,
        max_value=Decimal(MAX_BATHROOMS) * Decimal("1.5"),
        required=False,
        allow_null=True,
        help_text="Full baths + ½ × half baths. Writes may send it instead of "
        "`bathrooms_full`/`bathrooms_half`: 2.5 stores 2 full and 1 half.",
    )
    days_on_market = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Days from `listed_at` to the sale, to the day it went off the market, or to "
        "today.",
    )
    time_zone = CharField(
        read_only=True, help_text="The IANA time zone of the property; open house times are in it."
    )

    class Meta:
        model = Property
        fields = [
            "id",
            "url",
            "mls_number",
            "status",
            "property_type",
            "street_address",
            "unit",
            "city",
            "state",
            "postal_code",
            "country",
            "latitude",
            "longitude",
            "price",
            "bedrooms",
            "bathrooms",
            "bathrooms_full",
            "bathrooms_half",
            "living_area",
            "lot_size",
            "year_built",
            "description",
            "listing_agent",
            "listing_agent_id",
            "listed_at",
            "sold_at",
            "sold_price",
            "original_list_price",
            "days_on_market",
            "status_changed_at",
            "price_changed_at",
            "photos_changed_at",
            "internet_display",
            "originating_system",
            "time_zone",
            "created_at",
            "updated_at",
            "primary_photo",
            "photo_count",
            "distance_km",
        ]
        read_only_fields = [
            "id",
            "status_changed_at",
            "price_changed_at",
            "photos_changed_at",
            "originating_system",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "listed_at": {"required": False},
            "original_list_price": {"help_text": "The first asking price; defaults to `price`."},
            "internet_display": {
                "help_text": "False when the MLS forbids publishing the listing: then only its "
                "agent and staff can read it."
            },
            "mls_number": {
                "validators": [validators.validate_mls_number, MlsNumberUniqueValidator()],
                "help_text": "Set by staff and MLS imports only (others: 400 unless unchanged). "
                "Left out, empty or null when a listing is created: one is generated (H and "
                "the zero-padded id). It cannot be removed afterwards.",
            },
        }

    # Fields whose value depends on the request or on other objects; every other
    # readable field is a plain column rendered by its own DRF field.
    COMPUTED_READ_FIELDS = frozenset({"url", "listing_agent", "primary_photo", "distance_km"})

    URL_ID_MARKER = "__id__"

    @classmethod
    def _read_plan(cls):
        """(name, read, render) for every readable field, in order; read is None when computed.

        Built once per class from a throwaway instance: DRF otherwise deep-copies
        and rebuilds all ~30 fields for every serializer it creates (bench/RESULTS.md,
        "Where the read path's time went", has the figures). The plain fields'
        ``get_attribute`` and ``to_representation`` use nothing but their own arguments, so sharing
        them between requests and threads is safe. A field backed by a model
        column is read with a plain attribute lookup: DRF's generic
        ``get_attribute`` (dotted sources, callables, mappings) costs more for
        no different result.
        """
        plan = cls.__dict__.get("_cached_read_plan")
        if plan is None:
            columns = {field.name for field in cls.Meta.model._meta.concrete_fields}
            plan = tuple(
                (name, None, None)
                if name in cls.COMPUTED_READ_FIELDS
                else (
                    name,
                    operator.attrgetter(field.source)
                    if field.source in columns
                    else field.get_attribute,
                    field.to_representation,
                )
                for name, field in cls().fields.items()
                if not field.write_only
            )
            cls._cached_read_plan = plan
        return plan

    def to_representation(self, listing):
        """DRF's output, field for field, without building the fields per serializer."""
        request = self.context.get("request")
        if request is None:
            return super().to_representation(listing)
        data = {}
        for name, read, render in self._read_plan():
            if read is not None:
                try:
                    value = read(listing)
                except SkipField:
                    continue
                data[name] = None if value is None else render(value)
            elif name == "url":
                data[name] = self._detail_url(listing, request)
            elif name == "listing_agent":
                data[name] = _listing_agent(listing.listing_agent)
            else:
                data[name] = getattr(self, f"get_{name}")(listing)
        return data

    def _detail_url(self, listing, request):
        """The listing's ``url``, exactly as ``reverse("property-detail")`` answers it.

        Reversed once per serializer (one per request, however many rows) with a
        marker for the id, then filled in per row, because URL reversing is slow
        enough to show in a list's profile. The marker matches the route's id pattern,
        and whatever DRF adds (scheme, host, a preserved ``?format=``) is kept.
        """
        parts = self.__dict__.get("_detail_url_parts")
        if parts is None:
            url = reverse(
                "property-detail",
                kwargs={"pk": self.URL_ID_MARKER},
                request=request,
                format=self.context.get("format"),
            )
            head, _, tail = url.rpartition(self.URL_ID_MARKER)
            parts = self._detail_url_parts = (head, tail)
        return f"{parts[0]}{listing.pk}{parts[1]}"

    def get_primary_photo(self, listing) -> str | None:
        name = listing.primary_photo_image
        if not name:
            return None
        if name.startswith(("https://", "http://")):
            return name  # a replicated listing's photo, at its MLS (PropertyPhoto.source_url)
        url = PropertyPhoto.image.field.storage.url(name)
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def get_distance_km(self, listing) -> float | None:
        distance = getattr(listing, "distance_km", None)
        return (
            None if distance is None else RoundedFloatField(decimals=3).to_representation(distance)
        )

    def validate_mls_number(self, mls_number):
        # Empty means "generate one" on create (SPEC 2); it is never stored as "",
        # which the next empty one would collide with.
        if mls_number in ("", None):
            if self.instance is not None:
                raise serializers.ValidationError(
                    "A listing's MLS number cannot be removed; leave the field out to keep it."
                )
            return None
        # The number is the key imports match on: an agent who chose a feed's
        # number would be handed that feed's listing at the next import.
        request = self.context.get("request")
        user = getattr(request, "user", None)
        current = self.instance.mls_number if self.instance else None
        if user is not None and not user.is_staff and mls_number != current:
            raise serializers.ValidationError(
                "Only staff and MLS imports set the MLS number; leave it out or unchanged."
            )
        return mls_number

    def validate_listing_agent_id(self, agent):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and not user.is_staff and agent != user:
            raise serializers.ValidationError("Only staff can choose the listing agent.")
        if agent is not None and not agent.may_list(self.instance):
            raise serializers.ValidationError(
                f"User {agent.pk} cannot list properties: choose an active agent account."
            )
        return agent

    def validate(self, attrs):
        def current(field):
            if field in attrs:
                return attrs[field]
            return getattr(self.instance, field, None) if self.instance else None

        try:
            validators.validate_sale_fields(
                status=current("status") or Property.Status.ACTIVE,
                sold_at=current("sold_at"),
                sold_price=current("sold_price"),
            )
            validators.resolve_bathrooms(attrs, current=current)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return attrs


class OpenHouseSerializer(ModelSerializer):
    """An open house of a listing; `date`, `start_time` and `end_time` are local to the property.

    The times are the wall-clock times at the property (in `time_zone`, the
    listing's IANA zone), as agents announce them; an open house ends on the
    day it starts.
    """

    time_zone = CharField(
        source="property.time_zone",
        read_only=True,
        help_text="The IANA time zone of the listing, in which `start_time` and `end_time` are.",
    )

    class Meta:
        model = OpenHouse
        fields = [
            "id",
            "date",
            "start_time",
            "end_time",
            "time_zone",
            "type",
            "status",
            "remarks",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate(self, attrs):
        def current(field):
            if field in attrs:
                return attrs[field]
            return getattr(self.instance, field, None)

        start, end = current("start_time"), current("end_time")
        if start is not None and end is not None and end <= start:
            raise serializers.ValidationError(
                {"end_time": "The open house must end after it starts, on the same day."}
            )
        listing = self.context.get("listing") or getattr(self.instance, "property", None)
        if "date" in attrs and listing is not None:
            today = timezone.localdate(timezone=timezones.zone(listing.time_zone))
            if attrs["date"] < today:
                raise serializers.ValidationError(
                    {"date": f"An open house cannot be scheduled in the past (today is {today})."}
                )
        return attrs


class FavoriteListingSerializer(PropertySerializer):
    """A saved listing: the listing shape, plus when it was deleted (null while it is live)."""

    class Meta(PropertySerializer.Meta):
        fields = [*PropertySerializer.Meta.fields, "archived_at"]
        read_only_fields = [*PropertySerializer.Meta.read_only_fields, "archived_at"]


class PriceChangeSerializer(ModelSerializer):
    """One change of a listing's asking price."""

    class Meta:
        model = PriceChange
        fields = ["id", "old_price", "new_price", "changed_at"]
        read_only_fields = fields


class ListingChangeSerializer(ModelSerializer):
    """One change of a listing by any path: when, who or what, each field's old and new value."""

    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField(), min_length=2, max_length=2),
        help_text="Each changed database column: [old value, new value].",
    )
    context = CharField(
        help_text="Who or what wrote (e.g. 'api: Brian Mitchell (bmitchell)', 'import_listings: "
        "feed.csv'); empty for a direct database write."
    )

    class Meta:
        model = ListingChange
        fields = ["id", "changed_at", "context", "changes"]
        read_only_fields = fields


class PropertyPhotoSerializer(ModelSerializer):
    """A photo of a listing; uploads are multipart with the file in ``image``."""

    # A plain FileField: the client's file name is discarded and the content is
    # verified and re-encoded by images.sanitized_upload, not by DRF's (limit-less) ImageField.
    image = serializers.FileField(
        max_length=None,
        help_text="JPEG, PNG or WebP; at most 10 MB and 50 megapixels.",
    )

    class Meta:
        model = PropertyPhoto
        fields = ["id", "image", "caption", "position", "width", "height", "created_at"]
        read_only_fields = ["id", "width", "height", "created_at"]
        extra_kwargs = {
            "position": {
                "required": False,
                # The column is a smallint on every database; SQLite would not say so.
                "max_value": PropertyPhoto.MAX_POSITION,
                "help_text": "Lowest first; default: after the last.",
            }
        }

    def to_representation(self, photo):
        data = super().to_representation(photo)
        if photo.source_url:
            # A replicated listing's photo stays at its MLS (SPEC 7): ``image`` is that URL.
            data["image"] = photo.source_url
        return data

    def validate_image(self, upload):
        try:
            upload, verified = images.sanitized_upload(upload)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        self.verified_image = verified
        return upload


class FavoriteSerializer(ModelSerializer):
    """A listing the signed-in user saved."""

    class Meta:
        model = Favorite
        fields = ["property", "created_at"]
        read_only_fields = fields


class InquiryListingSerializer(ModelSerializer):
    """The listing an inquiry is about, as its agent needs to recognise it."""

    url = serializers.HyperlinkedIdentityField(view_name="property-detail")

    class Meta:
        model = Property
        fields = ["id", "url", "mls_number", "address"]
        read_only_fields = fields


class InquirySerializer(ModelSerializer):
    """An inquiry as its sender, the listing's agent and staff read it."""

    property = InquiryListingSerializer(read_only=True)

    class Meta:
        model = Inquiry
        fields = [
            "id",
            "property",
            "sender",
            "name",
            "email",
            "phone",
            "message",
            "created_at",
            "answered_at",
            "answered_by",
        ]
        read_only_fields = fields


class InquiryAnswerSerializer(serializers.Serializer):
    """Mark an inquiry answered (``true``) or awaiting an answer again (``false``)."""

    answered = serializers.BooleanField(required=True)


class InquiryCreateSerializer(ModelSerializer):
    """An inquiry as it is sent: ``name`` and ``email`` are required without signing in."""

    message = CharField(max_length=5000, trim_whitespace=True)

    class Meta:
        model = Inquiry
        fields = ["name", "email", "phone", "message"]
        extra_kwargs = {
            "name": {
                "help_text": "Your name. Required when you are not signed in; signed in, your "
                "account's name is used."
            },
            "email": {
                "help_text": "Where the agent replies. Required when you are not signed in; "
                "signed in, your account's email is used."
            },
            "phone": {"help_text": "Optional."},
        }

    def validate(self, attrs):
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            # The account speaks for a signed-in sender (services.inquiry_send).
            attrs.pop("name", None)
            attrs.pop("email", None)
            return attrs
        missing = {
            field: ["This field is required when you are not signed in."]
            for field in ("name", "email")
            if not attrs.get(field, "").strip()
        }
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class ComparableSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    price = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Sale price when sold, else asking price."
    )
    living_area = serializers.IntegerField()
    distance_km = RoundedFloatField(decimals=3)
    status = CharField()


class ValuationSerializer(serializers.Serializer):
    """An automated estimate; ``estimate``, ``low`` and ``high`` are null with ``detail``."""

    property = serializers.IntegerField()
    estimate = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    low = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    high = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    price_per_sqft = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    comparable_count = serializers.IntegerField()
    comparables = ComparableSerializer(many=True)
    method = CharField()

    def to_representation(self, valuation):
        data = super().to_representation(valuation)
        if valuation.detail:
            data["detail"] = valuation.detail
        return data


class MarketStatsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    median_price = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    average_price = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    median_price_per_sqft = serializers.DecimalField(
        max_digits=20, decimal_places=2, allow_null=True
    )
    by_status = serializers.DictField(child=serializers.IntegerField())
    by_property_type = serializers.DictField(child=serializers.IntegerField())
