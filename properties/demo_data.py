"""seed_demo's listings in bulk: the factories' distributions, drawn as plain rows.

factory-boy resolves a dozen declarations and builds a model instance for every
listing, which was most of a 100,000-listing seed's time. Here every column is
drawn by the functions the factories themselves use (``properties.factories``),
so the factories stay the one definition of realistic data, and each listing is
a tuple that ``bulk.rows_insert`` writes (COPY on PostgreSQL).

A batch is written photos first, then its listings, in one transaction (foreign
keys are checked at commit): a listing inserted with a non-zero ``photo_total``
has the ``photo_summary`` rule compute its photo count and primary photo from
the photos already there, so every trigger runs as for any other write. The one
exception is photos on PostgreSQL, when the role may pause triggers
(``DemoBatch._photo_events`` says why and what stands in for them).
"""

import datetime
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from properties import factories
from properties.bulk import rows_insert, triggers_can_pause, triggers_paused
from properties.database_rules.entity_events import ENTITY_EVENT_SOURCES
from properties.models import OpenHouse, PriceChange, Property, PropertyPhoto
from reso.models import EntityEvent

TYPE_WEIGHTS = {
    Property.PropertyType.RESIDENTIAL: 78,
    Property.PropertyType.COMMERCIAL: 10,
    Property.PropertyType.INDUSTRIAL: 4,
    Property.PropertyType.LAND: 8,
}
# One listing in twelve has had its price cut, once to three times.
PRICE_CUT_SHARE = 1 / 12
# One active listing in six has an open house coming up; one in five of those is for brokers.
OPEN_HOUSE_SHARE = 1 / 6
BROKER_OPEN_HOUSE_SHARE = 1 / 5
# One listing in forty is one the MLS does not let anyone publish.
NOT_FOR_DISPLAY_SHARE = 1 / 40
# Sold listings were listed earlier, so their sale dates are in the past.
SOLD_LISTED_FROM = datetime.date(2025, 6, 1)
# With photos, one listing in three has one to four (the list shape's photo columns
# then carry real values); rows only, as an MLS feed's would be: no image files.
PHOTO_SHARE = 1 / 3
PHOTOS_PER_LISTING = (1, 4)
PHOTO_SIZE = (1600, 1067)

# Columns drawn per listing; every other column takes its default.
LISTING_COLUMNS = (
    "id",
    "mls_number",
    "status",
    "property_type",
    "street_address",
    "city",
    "state",
    "postal_code",
    "latitude",
    "longitude",
    "living_area",
    "lot_size",
    "bedrooms",
    "bathrooms_full",
    "bathrooms_half",
    "year_built",
    "price",
    "listed_at",
    "sold_at",
    "sold_price",
    "listing_agent_id",
    "description",
    "internet_display",
    "original_list_price",
    "price_changed_at",
    "status_changed_at",
    "photo_total",
    "photos_changed_at",
    "created_at",
    "updated_at",
)
PRICE_CHANGE_COLUMNS = ("property_id", "old_price", "new_price", "changed_at")
OPEN_HOUSE_COLUMNS = (
    "property_id",
    "date",
    "start_time",
    "end_time",
    "type",
    "status",
    "remarks",
    "created_at",
    "updated_at",
)
PHOTO_COLUMNS = ("property_id", "image", "position", "width", "height", "created_at")
_NOON = datetime.time(12)
_CENT = Decimal("0.01")
_THOUSAND = Decimal("1000")


@dataclass
class DemoBatch:
    """One batch of demo rows, each a tuple of its model's ``*_COLUMNS``."""

    listings: list[tuple] = field(default_factory=list)
    price_changes: list[tuple] = field(default_factory=list)
    open_houses: list[tuple] = field(default_factory=list)
    photos: list[tuple] = field(default_factory=list)

    def write(self) -> None:
        """Insert the batch; the caller's transaction makes it whole or nothing."""
        # Photos first: their listing's insert then summarises them (module docstring).
        quiet = bool(self.photos) and triggers_can_pause()
        if quiet:
            with triggers_paused():
                rows_insert(PropertyPhoto, PHOTO_COLUMNS, self.photos)
        else:
            rows_insert(PropertyPhoto, PHOTO_COLUMNS, self.photos)
        rows_insert(Property, LISTING_COLUMNS, self.listings)
        if quiet:
            self._photo_events()
        rows_insert(PriceChange, PRICE_CHANGE_COLUMNS, self.price_changes)
        rows_insert(OpenHouse, OPEN_HOUSE_COLUMNS, self.open_houses)

    def _photo_events(self) -> None:
        """What the photo triggers would have added, as one statement for the batch.

        Row by row, each photo of a new listing costs two listing UPDATEs (photo
        summary, photos_changed_at) and their statement triggers: ~0.3 ms a photo,
        most of a seed with photos. Of their effects, the summary is computed by the
        listing's insert (photos first), ``photos_changed_at`` is in the listing's
        row, the data version changes with the listings' insert, and the entity
        events, one per photo, are written here.
        """
        events = EntityEvent._meta.db_table
        photos = PropertyPhoto._meta.db_table
        resource = next(
            name for label, name, *_ in ENTITY_EVENT_SOURCES if label == PropertyPhoto._meta.label
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {events} (resource_name, resource_record_key, created_at) "  # noqa: S608
                f"SELECT %s, id::text, clock_timestamp() FROM {photos} "
                "WHERE property_id = ANY(%s) ORDER BY id",
                [resource, [row[0] for row in self.listings]],
            )


class DemoListings:
    """Draws batches of demo listings, with their price cuts, open houses and photos."""

    def __init__(self, *, rng, agent_ids, descriptions, remarks, photos, now, today):
        self.rng = rng
        self.agent_ids = list(agent_ids)
        self.descriptions = list(descriptions)
        self.remarks = list(remarks)
        self.photos = photos
        self.now = now
        self.today = today
        self._statuses = list(factories.STATUS_WEIGHTS)
        self._status_weights = list(itertools.accumulate(factories.STATUS_WEIGHTS.values()))
        self._types = list(TYPE_WEIGHTS)
        self._type_weights = list(itertools.accumulate(TYPE_WEIGHTS.values()))

    def batch(self, ids: list[int], mls_numbers: list[str]) -> DemoBatch:
        """Listings with primary keys ``ids`` and MLS numbers ``mls_numbers``."""
        batch = DemoBatch()
        for listing_id, mls_number in zip(ids, mls_numbers, strict=True):
            batch.listings.append(self._listing(batch, listing_id, mls_number))
        return batch

    def _listing(self, batch, listing_id, mls_number) -> tuple:
        rng, f = self.rng, factories
        status = rng.choices(self._statuses, cum_weights=self._status_weights)[0]
        property_type = rng.choices(self._types, cum_weights=self._type_weights)[0]
        # The order of PropertyFactory's declarations, each drawn by its function.
        city_row = f.random_city(rng)
        street_address = f.random_street_address(rng)
        postal_code = f.random_postal_code(rng, city_row)
        latitude = f.random_latitude(rng, city_row)
        longitude = f.random_longitude(rng, city_row)
        living_area = f.random_living_area(rng, property_type)
        lot_size = f.random_lot_size(rng)
        bedrooms = f.bedrooms_for(living_area, property_type)
        half_baths = f.random_half_baths(rng, bedrooms)
        year_built = f.random_year_built(rng, property_type)
        price = f.random_price(rng, city_row, property_type, living_area, lot_size)
        sold_at = sold_price = None
        if status == Property.Status.SOLD:
            listed_at = SOLD_LISTED_FROM + datetime.timedelta(rng.randint(0, 300))
            sold_at, sold_price = f.sold_at_for(listed_at), f.sold_price_for(price)
        else:
            listed_at = f.random_listed_at(rng)
        agent_id = rng.choice(self.agent_ids) if self.agent_ids else None
        description = rng.choice(self.descriptions)
        internet_display = rng.random() >= NOT_FOR_DISPLAY_SHARE
        original_price, price_changed_at = self._price_cuts(
            batch, listing_id, price, listed_at, sold_at
        )
        if status == Property.Status.ACTIVE and rng.random() < OPEN_HOUSE_SHARE:
            self._open_house(batch, listing_id)
        photo_total = self._photos(batch, listing_id) if self.photos else 0
        return (
            listing_id,
            mls_number,
            status,
            property_type,
            street_address,
            city_row[0],
            city_row[1],
            postal_code,
            latitude,
            longitude,
            living_area,
            lot_size,
            bedrooms,
            f.full_baths_for(bedrooms),
            half_baths,
            year_built,
            price,
            listed_at,
            sold_at,
            sold_price,
            agent_id,
            description,
            internet_display,
            original_price,
            price_changed_at,
            f.status_changed_at_for(listed_at),
            photo_total,
            # What the listing_change_times rule stamps when a photo is added.
            self.now if photo_total else None,
            self.now,
            self.now,
        )

    def _price_cuts(self, batch, listing_id, price, listed_at, sold_at):
        """Earlier, higher asking prices for a share of listings, ending at ``price``.

        Returns the listing's original list price and last price change time.
        Cuts come one to three weeks apart after the listing date, never after the
        sale or today.
        """
        rng = self.rng
        if rng.random() >= PRICE_CUT_SHARE:
            return price, None
        until = min(sold_at or self.today, self.today)
        day, dates = listed_at, []
        for _ in range(rng.randint(1, 3)):
            day += datetime.timedelta(days=rng.randint(5, 14))
            if day <= until:
                dates.append(day)
        new_price = price
        for day in reversed(dates):
            old_price = (new_price * Decimal(rng.uniform(1.02, 1.08))).quantize(_THOUSAND)
            changed_at = datetime.datetime.combine(day, _NOON, tzinfo=datetime.UTC)
            batch.price_changes.append(
                (listing_id, old_price.quantize(_CENT), new_price, changed_at)
            )
            new_price = old_price
        if not dates:
            return price, None
        last_change = datetime.datetime.combine(dates[-1], _NOON, tzinfo=datetime.UTC)
        return new_price.quantize(_CENT), last_change

    def _open_house(self, batch, listing_id) -> None:
        rng, f = self.rng, factories
        kind = OpenHouse.Type.BROKER if rng.random() < BROKER_OPEN_HOUSE_SHARE else None
        date = f.random_open_house_date(rng, self.today)
        start = f.random_open_house_start(rng)
        batch.open_houses.append(
            (
                listing_id,
                date,
                start,
                f.open_house_end_for(start),
                kind or OpenHouse.Type.PUBLIC,
                OpenHouse.Status.ACTIVE,
                rng.choice(self.remarks),
                self.now,
                self.now,
            )
        )

    def _photos(self, batch, listing_id) -> int:
        rng = self.rng
        if rng.random() >= PHOTO_SHARE:
            return 0
        count = rng.randint(*PHOTOS_PER_LISTING)
        width, height = PHOTO_SIZE
        for position in range(count):
            # The path an upload gets (models.photo_upload_to), with a seeded name.
            image = f"photos/{listing_id}/{rng.getrandbits(128):032x}.jpg"
            batch.photos.append((listing_id, image, position, width, height, self.now))
        return count
