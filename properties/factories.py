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


# Each distribution is a function of a random generator and the values it depends
# on, so the factories below and seed_demo's bulk writer (properties/demo_data.py)
# draw the same data from one definition.


def random_city(rng):
    return rng.choice(CITIES)


def random_street_address(rng) -> str:
    return f"{rng.randint(1, 9999)} {rng.choice(STREET_NAMES)} {rng.choice(STREET_SUFFIXES)}"


def random_postal_code(rng, city_row) -> str:
    return f"{city_row[2]}{rng.randint(0, 99):02d}"


# Gaussian scatter of about 8 km around the city centre.
def random_latitude(rng, city_row) -> float:
    return round(city_row[3] + rng.gauss(0, 0.07), 6)


def random_longitude(rng, city_row) -> float:
    return round(city_row[4] + rng.gauss(0, 0.09), 6)


def random_living_area(rng, property_type):
    if property_type == Property.PropertyType.LAND:
        return None
    if property_type == Property.PropertyType.RESIDENTIAL:
        return int(rng.lognormvariate(7.5, 0.35))  # median ~1,800 sq ft
    return int(rng.lognormvariate(9.0, 0.6))  # median ~8,000 sq ft


def random_lot_size(rng) -> Decimal:
    # Square feet with a decimal, as MLSs send them (a 0.12-acre lot is 5227.2 sq ft).
    return Decimal(f"{rng.lognormvariate(8.8, 0.7):.1f}")


def bedrooms_for(living_area, property_type):
    if property_type != Property.PropertyType.RESIDENTIAL:
        return None
    return max(1, min(8, round((living_area or 0) / 550)))


# About three baths for four bedrooms; one home in three or so has a half bath.
def full_baths_for(bedrooms):
    return max(1, round(bedrooms * 0.6)) if bedrooms else None


def random_half_baths(rng, bedrooms):
    return int(rng.random() < 0.35) if bedrooms else None


def random_year_built(rng, property_type):
    return None if property_type == Property.PropertyType.LAND else rng.randint(1900, 2025)


def random_price(rng, city_row, property_type, living_area, lot_size) -> Decimal:
    per_sqft = city_row[5] * TYPE_PRICE_FACTOR.get(property_type, 1.0) * rng.uniform(0.8, 1.25)
    area = float(living_area or lot_size or 10_000)
    return Decimal(max(10_000, round(per_sqft * area, -3))).quantize(Decimal("0.01"))


def random_listed_at(rng) -> datetime.date:
    return datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randint(0, 300))


def status_changed_at_for(listed_at) -> datetime.datetime:
    return datetime.datetime.combine(listed_at, datetime.time(9), tzinfo=datetime.UTC)


def sold_at_for(listed_at) -> datetime.date:
    return listed_at + datetime.timedelta(days=45)


def sold_price_for(price) -> Decimal:
    return (price * Decimal("0.98")).quantize(Decimal("0.01"))


def random_open_house_date(rng, today) -> datetime.date:
    return today + datetime.timedelta(days=rng.randint(1, 14))


def random_open_house_start(rng) -> datetime.time:
    return datetime.time(rng.choice([10, 11, 12, 13, 14]))


def open_house_end_for(start_time) -> datetime.time:
    return datetime.time(start_time.hour + 2)


def _rng():
    return factory.random.randgen


class PropertyFactory(DjangoModelFactory):
    class Meta:
        model = Property
        exclude = ["city_row"]

    city_row = factory.LazyFunction(lambda: random_city(_rng()))

    mls_number = factory.Sequence(lambda n: f"T{n:07d}")
    status = Property.Status.ACTIVE
    property_type = Property.PropertyType.RESIDENTIAL
    street_address = factory.LazyFunction(lambda: random_street_address(_rng()))
    city = factory.LazyAttribute(lambda o: o.city_row[0])
    state = factory.LazyAttribute(lambda o: o.city_row[1])
    postal_code = factory.LazyAttribute(lambda o: random_postal_code(_rng(), o.city_row))
    country = "US"
    latitude = factory.LazyAttribute(lambda o: random_latitude(_rng(), o.city_row))
    longitude = factory.LazyAttribute(lambda o: random_longitude(_rng(), o.city_row))
    living_area = factory.LazyAttribute(lambda o: random_living_area(_rng(), o.property_type))
    lot_size = factory.LazyFunction(lambda: random_lot_size(_rng()))
    bedrooms = factory.LazyAttribute(lambda o: bedrooms_for(o.living_area, o.property_type))
    bathrooms_full = factory.LazyAttribute(lambda o: full_baths_for(o.bedrooms))
    bathrooms_half = factory.LazyAttribute(lambda o: random_half_baths(_rng(), o.bedrooms))
    year_built = factory.LazyAttribute(lambda o: random_year_built(_rng(), o.property_type))
    price = factory.LazyAttribute(
        lambda o: random_price(_rng(), o.city_row, o.property_type, o.living_area, o.lot_size)
    )
    description = factory.Faker("paragraph", nb_sentences=4)
    listing_agent = factory.SubFactory(AgentFactory)
    listed_at = factory.LazyFunction(lambda: random_listed_at(_rng()))
    original_list_price = factory.LazyAttribute(lambda o: o.price)
    status_changed_at = factory.LazyAttribute(lambda o: status_changed_at_for(o.listed_at))


class SoldPropertyFactory(PropertyFactory):
    status = Property.Status.SOLD
    sold_at = factory.LazyAttribute(lambda o: sold_at_for(o.listed_at))
    sold_price = factory.LazyAttribute(lambda o: sold_price_for(o.price))


class OpenHouseFactory(DjangoModelFactory):
    """A two-hour open house in the coming two weeks."""

    class Meta:
        model = OpenHouse

    property = factory.SubFactory(PropertyFactory)
    date = factory.LazyFunction(lambda: random_open_house_date(_rng(), timezone.localdate()))
    start_time = factory.LazyFunction(lambda: random_open_house_start(_rng()))
    end_time = factory.LazyAttribute(lambda o: open_house_end_for(o.start_time))
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
