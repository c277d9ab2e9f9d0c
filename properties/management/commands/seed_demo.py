import secrets
import time
from collections import Counter

import factory
import factory.random
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from properties.bulk import BatchWriter, ids_reserve
from properties.demo_data import DemoListings
from properties.factories import OpenHouseFactory, PropertyFactory
from properties.models import Property
from users.factories import DEFAULT_PASSWORD, AgentFactory, OfficeFactory
from users.lookalikes import skeleton
from users.models import Office, User

DEMO_STAFF_USERNAME = "demo-staff"
BATCH_SIZE = 5000
DESCRIPTION_POOL = 1000
REMARKS_POOL = 200
# About five agents work at each brokerage.
AGENTS_PER_OFFICE = 5


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
        parser.add_argument(
            "--photos",
            action="store_true",
            help="Give one listing in three one to four photo rows (image paths only, no "
            "files: for benchmarks, which need the photo columns filled).",
        )

    def handle(self, *args, listings, agents, seed, if_empty, photos, **options):
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
        totals = _listings_create(listings, agent_rows, photos=photos, rng=factory.random.randgen)
        elapsed = time.monotonic() - started
        created = totals["listings"]
        with_photos = f", {totals['photos']} photos" if photos else ""
        self.stdout.write(
            f"Seeded {len(agent_rows)} agents, {created} listings{with_photos} and "
            f"{totals['price_changes']} price changes in {elapsed:.1f} s "
            f"({created / max(elapsed, 1e-6):,.0f} listings/s; --seed {seed} repeats them)."
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
    for agent in agents:
        # bulk_create skips User.save(), which keeps the look-alike key.
        agent.username_skeleton = skeleton(agent.username)
    return User.objects.bulk_create(agents, batch_size=BATCH_SIZE)


def _listings_create(count, agents, *, photos, rng) -> Counter:
    """Write ``count`` listings in batches; returns how many rows of each kind."""
    first = _next_number(
        Property.objects.filter(mls_number__startswith="D").values_list("mls_number", flat=True),
        "D",
    )
    demo = DemoListings(
        rng=rng,
        agent_ids=[agent.pk for agent in agents],
        descriptions=_pool(PropertyFactory.description, DESCRIPTION_POOL),
        remarks=_pool(OpenHouseFactory.remarks, REMARKS_POOL),
        photos=photos,
        now=timezone.now(),
        today=timezone.localdate(),
    )
    totals = Counter()
    with BatchWriter() as writer:
        for start in range(0, count, BATCH_SIZE):
            stop = min(start + BATCH_SIZE, count)
            ids = ids_reserve(Property, stop - start)
            numbers = [f"D{first + i:07d}" for i in range(start, stop)]
            batch = demo.batch(ids, numbers)
            writer.submit(batch.write)
            totals.update(
                listings=len(batch.listings),
                price_changes=len(batch.price_changes),
                photos=len(batch.photos),
            )
    return totals


def _pool(declaration, size) -> list[str]:
    # Faker's paragraph costs as much as the rest of a listing; a pool of them, drawn
    # at random, reads just as well.
    return [declaration.evaluate(None, None, {"locale": None}) for _ in range(size)]
