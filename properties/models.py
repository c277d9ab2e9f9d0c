import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce, Upper
from django.utils import timezone

from properties import timezones, validators
from properties.querysets import PropertyQuerySet
from users.models import listing_agent_choices

MAX_BATHROOMS = 99
MLS_NUMBER_TAKEN = "Another listing already has this MLS number."


def bathrooms_total():
    """Full baths plus half a bath per half bath; NULL when neither count is known."""
    return models.Case(
        models.When(
            models.Q(bathrooms_full__isnull=True, bathrooms_half__isnull=True),
            then=models.Value(None),
        ),
        default=Coalesce(models.F("bathrooms_full"), 0)
        + Coalesce(models.F("bathrooms_half"), 0) * models.Value(Decimal("0.5")),
        output_field=models.DecimalField(max_digits=4, decimal_places=1),
    )


class ListingStatus(models.TextChoices):
    COMING_SOON = "coming_soon", "Coming soon"
    ACTIVE = "active", "Active"
    PENDING = "pending", "Pending"
    SOLD = "sold", "Sold"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired"


class PropertyType(models.TextChoices):
    RESIDENTIAL = "residential", "Residential"
    COMMERCIAL = "commercial", "Commercial"
    INDUSTRIAL = "industrial", "Industrial"
    LAND = "land", "Land"


class Property(models.Model):
    """A listing: one property offered for sale, as an agent and the MLS describe it.

    The database itself records every price change as a ``PriceChange`` and
    keeps ``photo_total`` and ``primary_photo_image`` (the listing's photos, as
    the list and detail shape summarise them) right, whatever the write path:
    see ``properties.database_rules``. Python never has to keep them right.

    ``bathrooms`` is a generated column, full + ½ × half, so no write path can
    store a total that disagrees with the counts (RESO's ``BathroomsFull`` and
    ``BathroomsHalf``). ``days_on_market`` is derived, never stored.

    ``status_changed_at``, ``price_changed_at`` and ``photos_changed_at`` (and
    ``original_list_price`` on a new listing) are kept by the database rule
    ``listing_change_times`` for every write path; a writer that sets one itself
    (an import carrying the MLS's own timestamp) keeps its value.

    ``internet_display`` off (the MLS's ``InternetEntireListingDisplayYN`` or
    MLS Grid's ``MlgCanView`` false) takes the listing off every public read,
    whatever its status: only its agent and staff see it (``visible_to``).
    """

    Status = ListingStatus
    PropertyType = PropertyType

    # Listings everyone may see; the others only their agent and staff.
    PUBLIC_STATUSES = (Status.COMING_SOON, Status.ACTIVE, Status.PENDING, Status.SOLD)
    # Columns only the database writes (database_rules); bulk writers leave them out.
    PHOTO_SUMMARY_FIELDS = ("photo_total", "primary_photo_image")

    # NULL, not "", until the generated number is set: NULLs never clash in the unique index.
    mls_number = models.CharField(  # noqa: DJ001
        "MLS number",
        max_length=32,
        # Unique per MLS (mls_scope below), so two sources may use one ListingId.
        db_index=True,
        null=True,
        blank=True,
        validators=[validators.validate_mls_number],
        help_text="Left blank, one is generated: H followed by the zero-padded id.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    property_type = models.CharField(max_length=16, choices=PropertyType.choices)
    street_address = models.CharField(max_length=255)
    unit = models.CharField(max_length=32, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=64)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(
        max_length=2,
        default="US",
        validators=[validators.validate_country_code],
        help_text="ISO 3166-1 alpha-2 code.",
    )
    latitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    price = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(validators.ONE_CENT)]
    )
    bedrooms = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(1000)]
    )
    bathrooms_full = models.PositiveSmallIntegerField(
        "full bathrooms", null=True, blank=True, validators=[MaxValueValidator(MAX_BATHROOMS)]
    )
    bathrooms_half = models.PositiveSmallIntegerField(
        "half bathrooms", null=True, blank=True, validators=[MaxValueValidator(MAX_BATHROOMS)]
    )
    bathrooms = models.GeneratedField(
        expression=bathrooms_total(),
        output_field=models.DecimalField(max_digits=4, decimal_places=1),
        db_persist=True,
        null=True,
        verbose_name="bathrooms (full + ½ half)",
    )
    living_area = models.PositiveIntegerField(
        "living area (sq ft)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(validators.MAX_AREA_SQFT)],
    )
    lot_size = models.DecimalField(
        "lot size (sq ft)",
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(validators.ONE_CENT),
            MaxValueValidator(validators.MAX_AREA_SQFT),
        ],
    )
    year_built = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(validators.FIRST_YEAR_BUILT), validators.validate_year_built],
    )
    description = models.TextField(blank=True, max_length=20_000)
    listing_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="listings",
        limit_choices_to=listing_agent_choices,
    )
    listed_at = models.DateField(default=validators.today)
    sold_at = models.DateField(null=True, blank=True)
    sold_price = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(validators.ONE_CENT)],
    )
    original_list_price = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(validators.ONE_CENT)],
        help_text="The asking price when first listed; defaults to the price at creation.",
    )
    status_changed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the status last changed (or the listing was made)."
    )
    price_changed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the asking price last changed; null if never."
    )
    photos_changed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a photo was last added, changed or removed."
    )
    internet_display = models.BooleanField(
        "display on the internet",
        default=True,
        db_default=True,
        help_text="Off when the MLS forbids publishing the listing: only its agent and staff "
        "see it then.",
    )
    originating_system = models.CharField(
        max_length=255,
        blank=True,
        default="",
        db_default="",
        help_text="The MLS the listing came from (RESO OriginatingSystemName); blank: Hearth.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Deleting a listing archives it (services.property_delete): it leaves the
    # API, its lists and searches, while the inquiries and favourites that refer
    # to it stay readable by their owners.
    archived_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the listing was deleted; archived listings are hidden from the API.",
    )
    # Written only by the database rules (see above). The database default lets rows
    # inserted outside Django (bench data, raw SQL) start with no photos too.
    photo_total = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    # An upload's storage path, or the absolute URL of a photo an MLS serves (source_url).
    primary_photo_image = models.TextField(
        blank=True,
        default="",
        db_default="",
        editable=False,
        help_text="The image path of the photo with the lowest (position, id); blank without one.",
    )

    # Listings replicated from an MLS source (mls.sync) are that source's, matched on
    # its ListingKey; local listings have neither.
    mls_source = models.ForeignKey(
        "mls.MlsSource",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="listings",
        editable=False,
    )
    source_key = models.CharField(
        "source ListingKey", max_length=255, blank=True, default="", editable=False
    )
    # Whose numbering mls_number belongs to: the source's id, 0 for local listings.
    # A plain column, so the one unique index (mls_scope, mls_number) is also the
    # ON CONFLICT key local imports upsert on, on SQLite and PostgreSQL alike (a
    # partial index on local listings could not be named there by bulk_create).
    mls_scope = models.GeneratedField(
        expression=Coalesce(models.F("mls_source"), models.Value(0)),
        output_field=models.BigIntegerField(),
        db_persist=True,
        verbose_name="MLS number scope",
    )

    objects = PropertyQuerySet.as_manager()

    class Meta:
        verbose_name = "listing"
        verbose_name_plural = "listings"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The visibility rule alone (every unfiltered list's COUNT(*)): a
            # deduplicated status-only index is a fraction of the composite one
            # below, so counting ~90k visible rows reads half the pages.
            # Partial, like the public visibility rule (archived listings are never
            # listed, listings the MLS hides never counted for the public), so
            # counts stay index-only scans.
            models.Index(
                fields=["status"],
                name="property_status_idx",
                condition=models.Q(archived_at__isnull=True, internet_display=True),
            ),
            # Covers the common status/type/price filters, counts included.
            models.Index(
                fields=["status", "property_type", "price"],
                name="property_status_type_price_idx",
                condition=models.Q(archived_at__isnull=True),
            ),
            # Each ordering with its id tie-breaker, so a page is read straight off an index.
            models.Index(fields=["price", "id"], name="property_price_id_idx"),
            models.Index(fields=["created_at", "id"], name="property_created_at_id_idx"),
            models.Index(fields=["updated_at", "id"], name="property_updated_at_id_idx"),
            models.Index(fields=["listed_at", "id"], name="property_listed_at_id_idx"),
            models.Index(fields=["living_area", "id"], name="property_living_area_id_idx"),
            models.Index(fields=["bedrooms", "id"], name="property_bedrooms_id_idx"),
            models.Index(fields=["latitude", "longitude"], name="property_lat_lng_idx"),
            # Case-insensitive exact filters compare upper-cased values.
            models.Index(Upper("city"), name="property_city_upper_idx"),
            models.Index(Upper("state"), name="property_state_upper_idx"),
            models.Index(Upper("postal_code"), name="property_postal_code_upper_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gt=0), name="property_price_positive"),
            models.CheckConstraint(
                condition=models.Q(sold_price__isnull=True) | models.Q(sold_price__gt=0),
                name="property_sold_price_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="property_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="property_longitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(year_built__isnull=True)
                | models.Q(
                    year_built__gte=validators.FIRST_YEAR_BUILT,
                    year_built__lte=validators.LAST_YEAR_BUILT_IN_DATABASE,
                ),
                name="property_year_built_range",
            ),
            models.CheckConstraint(
                condition=models.Q(original_list_price__isnull=True)
                | models.Q(original_list_price__gt=0),
                name="property_original_list_price_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(living_area__isnull=True) | models.Q(living_area__gt=0),
                name="property_living_area_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(lot_size__isnull=True) | models.Q(lot_size__gt=0),
                name="property_lot_size_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ListingStatus.values),
                name="property_status_valid",
            ),
            # NULL sources are distinct, so local listings never clash here.
            models.UniqueConstraint(
                fields=["mls_source", "source_key"], name="property_source_key_unique"
            ),
            # An MLS number is unique within its MLS: among one source's listings, or
            # among local ones. Forms and the API check it first (mls_number_taken).
            models.UniqueConstraint(
                fields=["mls_scope", "mls_number"], name="property_mls_number_unique_per_source"
            ),
            models.CheckConstraint(
                condition=models.Q(property_type__in=PropertyType.values),
                name="property_type_valid",
            ),
        ]

    def __str__(self):
        return f"{self.mls_number or 'new listing'}: {self.address}"

    @property
    def address(self) -> str:
        street = f"{self.street_address} {self.unit}".strip()
        return f"{street}, {self.city}, {self.state} {self.postal_code}"

    @property
    def time_zone(self) -> str:
        """The IANA time zone of the property's location (``properties.timezones``)."""
        return timezones.listing_time_zone_name(country=self.country, state=self.state)

    @property
    def days_on_market(self) -> int | None:
        """Days from listing to sale, or to today while it is on the market (RESO DaysOnMarket).

        Off-market listings (withdrawn, expired) stop counting the day their
        status changed. Never negative; None without a listing date.
        """
        if self.listed_at is None:
            return None
        end = timezone.localdate()
        if self.status == self.Status.SOLD and self.sold_at:
            end = self.sold_at
        elif self.status in (self.Status.WITHDRAWN, self.Status.EXPIRED) and self.status_changed_at:
            end = timezone.localdate(self.status_changed_at)
        elif self.status == self.Status.COMING_SOON:
            return 0
        return max(0, (end - self.listed_at).days)

    def clean(self):
        validators.validate_sale_fields(
            status=self.status, sold_at=self.sold_at, sold_price=self.sold_price
        )
        # Model forms leave the generated mls_scope out of constraint checks.
        if self.mls_number and Property.objects.mls_number_taken(
            self.mls_number, source_id=self.mls_source_id, exclude_pk=self.pk
        ):
            raise ValidationError({"mls_number": MLS_NUMBER_TAKEN})


class OpenHouse(models.Model):
    """A time a listing is open to visit: a public open house or a broker (agents') tour.

    ``date``, ``start_time`` and ``end_time`` are wall-clock times at the
    property, as the agent enters them and as the MLS carries them
    (``OpenHouseDate``, ``OpenHouseStartTime``): "Sunday 1-3 pm" in Denver means
    1-3 pm Mountain time whoever reads it, before or after a daylight-saving
    change. The zone is the listing's (``Property.time_zone``); ``starts_at()`` and
    ``ends_at()`` turn them into instants for feeds that want a timestamp with an
    offset (RESO's OData ``OpenHouseStartTime``). An open house never spans
    midnight: ``end_time`` is after ``start_time`` on ``date``.
    """

    class Type(models.TextChoices):
        PUBLIC = "public", "Public"
        BROKER = "broker", "Broker"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CANCELED = "canceled", "Canceled"
        ENDED = "ended", "Ended"

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="open_houses")
    date = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField()
    type = models.CharField(max_length=16, choices=Type.choices, default=Type.PUBLIC)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    remarks = models.TextField(blank=True, max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "open house"
        ordering = ["date", "start_time", "id"]
        indexes = [
            models.Index(fields=["property", "date"], name="open_house_property_date_idx"),
            # The listing filter open_house_after/before: active ones in a date range.
            models.Index(fields=["status", "date"], name="open_house_status_date_idx"),
            models.Index(fields=["updated_at", "id"], name="open_house_updated_at_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="open_house_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(type__in=["public", "broker"]), name="open_house_type_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "canceled", "ended"]),
                name="open_house_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} open house {self.date} {self.start_time:%H:%M}"

    def _at(self, time: datetime.time) -> datetime.datetime:
        zone = timezones.zone(self.property.time_zone)
        return datetime.datetime.combine(self.date, time, tzinfo=zone)

    def starts_at(self) -> datetime.datetime:
        return self._at(self.start_time)

    def ends_at(self) -> datetime.datetime:
        return self._at(self.end_time)


class PriceChange(models.Model):
    """One change of a listing's asking price.

    The database records it on every price change, by any write path (the
    ``price_history`` rule of ``properties.database_rules``); ``seed_demo``
    also writes past changes for its demo listings.
    """

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="price_changes")
    old_price = models.DecimalField(max_digits=14, decimal_places=2)
    new_price = models.DecimalField(max_digits=14, decimal_places=2)
    changed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        get_latest_by = "changed_at"

    def __str__(self):
        return f"{self.old_price} → {self.new_price}"


def photo_upload_to(instance, filename):
    # The client's file name is never used: it may be anything, including a path.
    return f"photos/{instance.property_id}/{validators.random_filename(filename)}"


class PropertyPhoto(models.Model):
    """An image of a listing; the lowest ``position`` is the listing's primary photo.

    Either an uploaded ``image``, or, for a listing an MLS sync replicates, the
    ``source_url`` the MLS serves it at (SPEC 7: referenced, never downloaded).
    """

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(
        upload_to=photo_upload_to, width_field="width", height_field="height", blank=True
    )
    source_url = models.URLField(
        "source URL",
        max_length=2000,
        blank=True,
        default="",
        db_default="",  # photos inserted outside Django (bench data) are uploads
        editable=False,
        help_text="Where the listing's MLS serves the photo (replicated listings).",
    )
    caption = models.CharField(max_length=255, blank=True)
    # The largest smallint, the column's type on every database.
    MAX_POSITION = 32767

    position = models.PositiveSmallIntegerField(default=0)
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "photo"
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["property", "position", "id"], name="photo_order_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(image="") & ~models.Q(source_url=""))
                | (~models.Q(image="") & models.Q(source_url="")),
                name="photo_image_or_source_url",
                violation_error_message="A photo is an uploaded image or an MLS's URL, not both.",
            )
        ]

    def __str__(self):
        return f"Photo {self.position} of listing {self.property_id}"


class Favorite(models.Model):
    """A listing a user saved."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favorites"
    )
    # PROTECT: a listing is archived, never erased, while someone's favourite
    # or inquiry refers to it; erasing one is refused rather than taking them along.
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="favorites")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "property"], name="favorite_unique_per_user")
        ]

    def __str__(self):
        return f"{self.user_id} ♥ {self.property_id}"


class Inquiry(models.Model):
    """A message about a listing to its agent, from a signed-in user or a named visitor."""

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="inquiries")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inquiries_sent",
    )
    name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    message = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by the agent (or staff) who answered; a lead is waiting while it is null.
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inquiries_answered",
        editable=False,
    )

    class Meta:
        verbose_name_plural = "inquiries"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The dashboard's "awaiting an answer", oldest first, and its counts by day.
            models.Index(
                fields=["created_at"],
                condition=models.Q(answered_at__isnull=True),
                name="inquiry_unanswered_idx",
            ),
            models.Index(fields=["created_at", "id"], name="inquiry_created_at_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sender__isnull=False)
                | (~models.Q(name="") & ~models.Q(email="")),
                name="inquiry_has_a_sender",
            )
        ]

    def __str__(self):
        return f"Inquiry {self.pk} on listing {self.property_id}"


class ListingDataVersion(models.Model):
    """One row whose ``token`` changes whenever anything a listing response shows changes.

    The ``listing_data_version`` rule (``properties.database_rules``) gives it a
    new random token whenever anything a listing response shows changes, in the
    same transaction (on PostgreSQL as it commits), whatever the write path.
    Cached listing responses are keyed by it (``properties.caching``), so a
    write invalidates them all without anyone having to remember to. Random,
    not a counter: a rolled-back write must never bring back a token whose
    cache entries describe other data.
    """

    SINGLETON_ID = 1

    token = models.CharField(max_length=36)

    class Meta:
        verbose_name = "listing data version"

    def __str__(self):
        return self.token


class ListingChange(models.Model):
    """One change of a listing, by any write path: which fields, from what to what, by whom.

    Written only by the database (the ``change_log`` rule of
    ``properties.database_rules``), so the admin, the API, bulk actions,
    imports, syncs and raw SQL all leave the same trail. ``context`` is who
    or what wrote, as the writer declared it with ``history.change_context``;
    blank when a write declared nothing (a direct database write).
    """

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="changes")
    changed_at = models.DateTimeField()
    # {column: [old, new]} for every changed column except the bookkeeping ones.
    changes = models.JSONField(default=dict)
    context = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        verbose_name = "listing change"
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["property", "-changed_at", "-id"], name="listing_change_order_idx")
        ]

    def __str__(self):
        return f"Change of listing {self.property_id} at {self.changed_at:%Y-%m-%d %H:%M}"
