import datetime
import random
import secrets
import time
from decimal import Decimal

import factory
import factory.random
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from properties.bulk import BatchWriter, listings_upsert
from properties.factories import (
    STATUS_WEIGHTS,
    OpenHouseFactory,
    PriceChangeFactory,
    PropertyFactory,
    SoldPropertyFactory,
)
from properties.models import OpenHouse, PriceChange, Property
from users.factories import DEFAULT_PASSWORD, AgentFactory, OfficeFactory
from users.models import Office, User

DEMO_STAFF_USERNAME = "demo-staff"
BATCH_SIZE = 2000
DESCRIPTION_POOL = 200
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
# About five agents work at each brokerage.
AGENTS_PER_OFFICE = 5
# One listing in forty is one the MLS does not let anyone publish.
NOT_FOR_DISPLAY_SHARE = 1 / 40
# Sold listings were listed earlier, so their sale dates are in the past.
SOLD_LISTED_FROM = datetime.date(2025, 6, 1)


class Command(BaseCommand):
    help = (
        "Fill the database with realistic demo data built from the test factories: agents, "
        "listings clustered in real cities, sales and price cuts. Reproducible with --seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--listings", type=int, default=2000, help="Default 2,000.")
        parser.add_argument("--agents", type=int, default=25, help="Default 25.")
        parser.add_argument("--seed", type=int, help="Random seed; the same seed, the same data.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds users (what `make run` uses).",
        )

    def handle(self, *args, listings, agents, seed, if_empty, **options):
        if listings < 0 or agents < 0:
            raise CommandError("--listings and --agents cannot be negative.")
        if if_empty and User.objects.exists():
            self.stdout.write("Demo data already present; nothing seeded.")
            self._print_existing_login()
            return
        if seed is None:
            seed = secrets.randbelow(2**31)
        # factory-boy's reseed covers both its own random generator and Faker's.
        factory.random.reseed_random(seed)
        started = time.monotonic()
        with transaction.atomic():
            agent_rows = _agents_create(agents)
        # Batches commit one by one (the writer overlaps inserting one with building the next).
        created, price_changes = _listings_create(listings, agent_rows)
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Seeded {len(agent_rows)} agents, {created} listings and {price_changes} price "
            f"changes in {elapsed:.1f} s ({created / max(elapsed, 1e-6):,.0f} listings/s; "
            f"--seed {seed} repeats them)."
        )
        self._create_demo_staff()

    def _create_demo_staff(self):
        # A known staff login is a convenience for a developer's machine only.
        if not settings.DEBUG or User.objects.filter(username=DEMO_STAFF_USERNAME).exists():
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(
            username=DEMO_STAFF_USERNAME,
            email="demo-staff@hearth.local",
            password=password,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo staff login for /admin/ and /api/: username {DEMO_STAFF_USERNAME!r}, "
                f"password {password!r}"
            )
        )

    def _print_existing_login(self):
        if settings.DEBUG and User.objects.filter(username=DEMO_STAFF_USERNAME).exists():
            self.stdout.write(
                f"Demo staff username: {DEMO_STAFF_USERNAME!r} (password printed when it was "
                f"created; reset it with `manage.py changepassword {DEMO_STAFF_USERNAME}`)."
            )


def _next_number(values, prefix) -> int:
    """One past the highest number after ``prefix`` in ``values``, so reruns add, not clash."""
    numbers = (value[len(prefix) :] for value in values)
    return max((int(n) for n in numbers if n.isdigit()), default=0) + 1


def _agents_create(count) -> list:
    first = _next_number(
        User.objects.filter(username__startswith="agent").values_list("username", flat=True),
        "agent",
    )
    # Hashing is deliberately slow: every demo agent shares one hash of the factory password.
    password = factory.Transformer.Force(make_password(DEFAULT_PASSWORD))
    offices = Office.objects.bulk_create(
        OfficeFactory.build() for _ in range(-(-count // AGENTS_PER_OFFICE))
    )
    agents = [
        AgentFactory.build(
            username=f"agent{first + i}", password=password, office=offices[i // AGENTS_PER_OFFICE]
        )
        for i in range(count)
    ]
    return User.objects.bulk_create(agents, batch_size=BATCH_SIZE)


def _listings_create(count, agents) -> tuple[int, int]:
    rng = factory.random.randgen
    first = _next_number(
        Property.objects.filter(mls_number__startswith="D").values_list("mls_number", flat=True),
        "D",
    )
    created = price_changes = 0
    with BatchWriter() as writer:
        for start in range(0, count, BATCH_SIZE):
            batch = _listings_build(start, min(start + BATCH_SIZE, count), first, agents, rng)
            history = _price_cuts(batch, rng)
            open_houses = _open_houses(batch, rng)
            writer.submit(_listings_insert, batch, history, open_houses)
            created += len(batch)
            price_changes += len(history)
    return created, price_changes


def _descriptions(count) -> list[str]:
    # Faker's paragraph costs as much as the rest of a listing; a pool of them, drawn
    # at random, reads just as well and halves the time to build 100,000 listings.
    paragraph = PropertyFactory.description
    return [paragraph.evaluate(None, None, {"locale": None}) for _ in range(count)]


def _listings_build(start, stop, first, agents, rng) -> list:
    statuses, status_weights = zip(*STATUS_WEIGHTS.items(), strict=True)
    types, type_weights = zip(*TYPE_WEIGHTS.items(), strict=True)
    descriptions = _descriptions(min(DESCRIPTION_POOL, stop - start))
    batch = []
    for i in range(start, stop):
        status = rng.choices(statuses, status_weights)[0]
        extra = {}
        if status == Property.Status.SOLD:
            model_factory = SoldPropertyFactory
            extra["listed_at"] = SOLD_LISTED_FROM + datetime.timedelta(rng.randint(0, 300))
        else:
            model_factory = PropertyFactory
        batch.append(
            model_factory.build(
                mls_number=f"D{first + i:07d}",
                status=status,
                property_type=rng.choices(types, type_weights)[0],
                listing_agent=rng.choice(agents) if agents else None,
                description=rng.choice(descriptions),
                internet_display=rng.random() >= NOT_FOR_DISPLAY_SHARE,
                **extra,
            )
        )
    return batch


def _listings_insert(listings, history, open_houses):
    listings_upsert(listings, update_fields=["updated_at"])
    for row in (*history, *open_houses):
        row.property_id = row.property.pk
    PriceChange.objects.bulk_create(history)
    OpenHouse.objects.bulk_create(open_houses)


def _open_houses(listings, rng: random.Random) -> list:
    """Upcoming open houses for a share of the active listings."""
    return [
        OpenHouseFactory.build(
            property=listing,
            type=OpenHouse.Type.BROKER
            if rng.random() < BROKER_OPEN_HOUSE_SHARE
            else OpenHouse.Type.PUBLIC,
        )
        for listing in listings
        if listing.status == Property.Status.ACTIVE and rng.random() < OPEN_HOUSE_SHARE
    ]


def _price_cuts(listings, rng: random.Random) -> list:
    """Earlier, higher asking prices for a share of ``listings``, ending at today's price.

    Each such listing's ``original_list_price`` and ``price_changed_at`` follow.

    Cuts come one to three weeks apart after the listing date, never after the
    sale or today.
    """
    today = timezone.localdate()
    changes = []
    for listing in listings:
        if rng.random() >= PRICE_CUT_SHARE:
            continue
        until = min(listing.sold_at or today, today)
        day, dates = listing.listed_at, []
        for _ in range(rng.randint(1, 3)):
            day += datetime.timedelta(days=rng.randint(5, 14))
            if day <= until:
                dates.append(day)
        new_price = listing.price
        for day in reversed(dates):
            old_price = (new_price * Decimal(rng.uniform(1.02, 1.08))).quantize(Decimal("1000"))
            changes.append(
                PriceChangeFactory.build(
                    property=listing,
                    old_price=old_price.quantize(Decimal("0.01")),
                    new_price=new_price,
                    changed_at=datetime.datetime.combine(
                        day, datetime.time(12), tzinfo=datetime.UTC
                    ),
                )
            )
            new_price = old_price
        if dates:
            # The listing's own record of its history agrees with the price changes.
            listing.original_list_price = new_price.quantize(Decimal("0.01"))
            listing.price_changed_at = datetime.datetime.combine(
                dates[-1], datetime.time(12), tzinfo=datetime.UTC
            )
    return changes
