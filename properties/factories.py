"""Factories for listings and their related rows, shared by the tests and `seed_demo`."""

import datetime
from decimal import Decimal

import factory
import factory.random
from django.utils import timezone
from factory.django import DjangoModelFactory

from properties.models import (
    Favorite,
    Inquiry,
    ListingChange,
    OpenHouse,
    PriceChange,
    Property,
    PropertyPhoto,
)
from users.factories import AgentFactory, UserFactory

# Real cities with their centre and a typical asking price per square foot, so
# demo data clusters on a map and prices look like the place they are in.
CITIES = [
    # name, state, postal code prefix, latitude, longitude, dollars per sq ft
    ("Austin", "TX", "787", 30.2672, -97.7431, 330),
    ("Denver", "CO", "802", 39.7392, -104.9903, 380),
    ("Seattle", "WA", "981", 47.6062, -122.3321, 560),
    ("Boston", "MA", "021", 42.3601, -71.0589, 690),
    ("Miami", "FL", "331", 25.7617, -80.1918, 520),
    ("Chicago", "IL", "606", 41.8781, -87.6298, 260),
    ("Phoenix", "AZ", "850", 33.4484, -112.0740, 280),
    ("Portland", "OR", "972", 45.5152, -122.6784, 390),
    ("Nashville", "TN", "372", 36.1627, -86.7816, 310),
    ("Atlanta", "GA", "303", 33.7490, -84.3880, 250),
]

# How much a square foot of each type costs relative to a home in the same city.
TYPE_PRICE_FACTOR = {
    Property.PropertyType.RESIDENTIAL: 1.0,
    Property.PropertyType.COMMERCIAL: 1.2,
    Property.PropertyType.INDUSTRIAL: 0.55,
    Property.PropertyType.LAND: 0.08,
}

STATUS_WEIGHTS = {
    Property.Status.ACTIVE: 55,
    Property.Status.PENDING: 10,
    Property.Status.SOLD: 20,
    Property.Status.COMING_SOON: 5,
    Property.Status.WITHDRAWN: 5,
    Property.Status.EXPIRED: 5,
}

STREET_NAMES = [
    "Oak", "Maple", "Cedar", "Pine", "Elm", "Willow", "Lake", "Hill", "Park", "River",
    "Sunset", "Highland", "Meadow", "Forest", "Washington", "Lincoln", "Jefferson", "Main",
]  # fmt: skip
STREET_SUFFIXES = ["St", "Ave", "Blvd", "Rd", "Ln", "Dr", "Ct", "Way"]


def _city(o):
    return factory.random.randgen.choice(CITIES)


def _living_area(o):
    rng = factory.random.randgen
    if o.property_type == Property.PropertyType.LAND:
        return None
    if o.property_type == Property.PropertyType.RESIDENTIAL:
        return int(rng.lognormvariate(7.5, 0.35))  # median ~1,800 sq ft
    return int(rng.lognormvariate(9.0, 0.6))  # median ~8,000 sq ft


def _price(o):
    rng = factory.random.randgen
    per_sqft = o.city_row[5] * TYPE_PRICE_FACTOR.get(o.property_type, 1.0) * rng.uniform(0.8, 1.25)
    area = float(o.living_area or o.lot_size or 10_000)
    return Decimal(max(10_000, round(per_sqft * area, -3))).quantize(Decimal("0.01"))


class PropertyFactory(DjangoModelFactory):
    class Meta:
        model = Property
        exclude = ["city_row"]

    city_row = factory.LazyAttribute(_city)

    mls_number = factory.Sequence(lambda n: f"T{n:07d}")
    status = Property.Status.ACTIVE
    property_type = Property.PropertyType.RESIDENTIAL
    street_address = factory.LazyAttribute(
        lambda o: (
            f"{factory.random.randgen.randint(1, 9999)} "
            f"{factory.random.randgen.choice(STREET_NAMES)} "
            f"{factory.random.randgen.choice(STREET_SUFFIXES)}"
        )
    )
    city = factory.LazyAttribute(lambda o: o.city_row[0])
    state = factory.LazyAttribute(lambda o: o.city_row[1])
    postal_code = factory.LazyAttribute(
        lambda o: f"{o.city_row[2]}{factory.random.randgen.randint(0, 99):02d}"
    )
    country = "US"
    # Gaussian scatter of about 8 km around the city centre.
    latitude = factory.LazyAttribute(
        lambda o: round(o.city_row[3] + factory.random.randgen.gauss(0, 0.07), 6)
    )
    longitude = factory.LazyAttribute(
        lambda o: round(o.city_row[4] + factory.random.randgen.gauss(0, 0.09), 6)
    )
    living_area = factory.LazyAttribute(_living_area)
    # Square feet with a decimal, as MLSs send them (a 0.12-acre lot is 5227.2 sq ft).
    lot_size = factory.LazyAttribute(
        lambda o: Decimal(f"{factory.random.randgen.lognormvariate(8.8, 0.7):.1f}")
    )
    bedrooms = factory.LazyAttribute(
        lambda o: (
            max(1, min(8, round((o.living_area or 0) / 550)))
            if o.property_type == Property.PropertyType.RESIDENTIAL
            else None
        )
    )
    # About three baths for four bedrooms; one home in three or so has a half bath.
    bathrooms_full = factory.LazyAttribute(
        lambda o: max(1, round((o.bedrooms or 0) * 0.6)) if o.bedrooms else None
    )
    bathrooms_half = factory.LazyAttribute(
        lambda o: int(factory.random.randgen.random() < 0.35) if o.bedrooms else None
    )
    year_built = factory.LazyAttribute(
        lambda o: (
            None
            if o.property_type == Property.PropertyType.LAND
            else factory.random.randgen.randint(1900, 2025)
        )
    )
    price = factory.LazyAttribute(_price)
    description = factory.Faker("paragraph", nb_sentences=4)
    listing_agent = factory.SubFactory(AgentFactory)
    listed_at = factory.LazyFunction(
        lambda: (
            datetime.date(2026, 1, 1)
            + datetime.timedelta(days=factory.random.randgen.randint(0, 300))
        )
    )
    original_list_price = factory.LazyAttribute(lambda o: o.price)
    status_changed_at = factory.LazyAttribute(
        lambda o: datetime.datetime.combine(o.listed_at, datetime.time(9), tzinfo=datetime.UTC)
    )


class SoldPropertyFactory(PropertyFactory):
    status = Property.Status.SOLD
    sold_at = factory.LazyAttribute(lambda o: o.listed_at + datetime.timedelta(days=45))
    sold_price = factory.LazyAttribute(
        lambda o: (o.price * Decimal("0.98")).quantize(Decimal("0.01"))
    )


class OpenHouseFactory(DjangoModelFactory):
    """A two-hour open house in the coming two weeks."""

    class Meta:
        model = OpenHouse

    property = factory.SubFactory(PropertyFactory)
    date = factory.LazyFunction(
        lambda: (
            timezone.localdate() + datetime.timedelta(days=factory.random.randgen.randint(1, 14))
        )
    )
    start_time = factory.LazyFunction(
        lambda: datetime.time(factory.random.randgen.choice([10, 11, 12, 13, 14]))
    )
    end_time = factory.LazyAttribute(lambda o: datetime.time(o.start_time.hour + 2))
    type = OpenHouse.Type.PUBLIC
    status = OpenHouse.Status.ACTIVE
    remarks = factory.Faker("sentence", nb_words=8)


class PriceChangeFactory(DjangoModelFactory):
    class Meta:
        model = PriceChange

    property = factory.SubFactory(PropertyFactory)
    old_price = Decimal("500000.00")
    new_price = Decimal("480000.00")
    changed_at = factory.Faker("date_time_this_year", tzinfo=datetime.UTC)


class PropertyPhotoFactory(DjangoModelFactory):
    class Meta:
        model = PropertyPhoto

    property = factory.SubFactory(PropertyFactory)
    image = factory.django.ImageField(width=64, height=48, format="JPEG", filename="photo.jpg")
    caption = factory.Faker("sentence", nb_words=4)
    position = factory.Sequence(lambda n: n)

    class Params:
        # A replicated listing's photo: a reference to its MLS's URL, no file.
        from_mls = factory.Trait(
            image="", source_url=factory.Sequence(lambda n: f"https://photos.example.com/{n}.jpg")
        )


class FavoriteFactory(DjangoModelFactory):
    class Meta:
        model = Favorite

    user = factory.SubFactory(UserFactory)
    property = factory.SubFactory(PropertyFactory)


class InquiryFactory(DjangoModelFactory):
    class Meta:
        model = Inquiry

    property = factory.SubFactory(PropertyFactory)
    sender = factory.SubFactory(UserFactory)
    message = factory.Faker("paragraph", nb_sentences=2)


class ListingChangeFactory(DjangoModelFactory):
    """A recorded change; in real use only the database (the change_log rule) writes them."""

    class Meta:
        model = ListingChange

    property = factory.SubFactory(PropertyFactory)
    changed_at = factory.LazyFunction(timezone.now)
    changes = factory.LazyFunction(lambda: {"city": ["Austin", "Dallas"]})
    context = "admin: ops"
