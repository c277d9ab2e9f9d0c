import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from properties.models import PriceChange, Property
from tests.properties.command_helpers import run_command
from users.factories import UserFactory
from users.models import User

pytestmark = pytest.mark.django_db

LISTING_FIELDS = [
    "mls_number",
    "status",
    "property_type",
    "street_address",
    "city",
    "state",
    "postal_code",
    "latitude",
    "longitude",
    "price",
    "bedrooms",
    "bathrooms_full",
    "bathrooms_half",
    "living_area",
    "lot_size",
    "year_built",
    "description",
    "listing_agent__username",
    "listed_at",
    "sold_at",
    "sold_price",
    "original_list_price",
    "price_changed_at",
    "internet_display",
]


def seeded_data():
    listings = list(Property.objects.order_by("mls_number").values_list(*LISTING_FIELDS))
    agents = list(
        User.objects.agents()
        .order_by("username")
        .values_list("username", "email", "first_name", "phone", "office__name", "bio")
    )
    history = list(
        PriceChange.objects.order_by("property__mls_number", "changed_at").values_list(
            "property__mls_number", "old_price", "new_price", "changed_at"
        )
    )
    return listings, agents, history


def test_seed_demo_creates_the_requested_counts_of_realistic_data():
    run = run_command("seed_demo", "--listings", "120", "--agents", "4", "--seed", "7")

    assert run.code == 0
    assert run.stdout.startswith("Seeded 4 agents, 120 listings and ")
    assert Property.objects.count() == 120
    assert User.objects.agents().count() == 4
    assert sorted(Property.objects.values_list("mls_number", flat=True))[:2] == [
        "D0000001",
        "D0000002",
    ]
    assert Property.objects.filter(listing_agent__isnull=True).count() == 0
    # A mix of statuses, and every sold listing has its sale
    assert set(Property.objects.values_list("status", flat=True)) >= {"active", "sold"}
    sold = Property.objects.filter(status=Property.Status.SOLD)
    assert sold.filter(sold_price__isnull=True).count() == 0
    assert all(s.sold_at > s.listed_at for s in sold)
    # Price history ends at the current price, and it was cut
    changes = PriceChange.objects.select_related("property")
    assert changes.count() > 0
    latest = {}
    for change in changes.order_by("changed_at"):
        assert change.old_price > change.new_price
        assert change.property.listed_at < change.changed_at.date() <= timezone.localdate()
        assert change.changed_at.date() <= (change.property.sold_at or timezone.localdate())
        latest[change.property_id] = change
    assert all(c.new_price == c.property.price for c in latest.values())


def test_the_same_seed_gives_the_same_data():
    run_command("seed_demo", "--listings", "60", "--agents", "3", "--seed", "42")
    first = seeded_data()
    Property.objects.all().delete()
    User.objects.all().delete()

    run_command("seed_demo", "--listings", "60", "--agents", "3", "--seed", "42")

    assert seeded_data() == first


def test_a_second_run_adds_listings_and_agents_without_clashing():
    run_command("seed_demo", "--listings", "10", "--agents", "2", "--seed", "1")
    run_command("seed_demo", "--listings", "10", "--agents", "2", "--seed", "1")

    assert Property.objects.count() == 20
    assert sorted(User.objects.agents().values_list("username", flat=True)) == [
        "agent1",
        "agent2",
        "agent3",
        "agent4",
    ]


def test_if_empty_does_nothing_when_users_exist():
    UserFactory()

    run = run_command("seed_demo", "--if-empty")

    assert run.stdout == "Demo data already present; nothing seeded.\n"
    assert Property.objects.count() == 0


def test_demo_staff_login_is_printed_in_debug(settings):
    settings.DEBUG = True

    run = run_command("seed_demo", "--listings", "5", "--agents", "1", "--if-empty")

    assert "Demo staff login for /admin/ and /api/: username 'demo-staff'" in run.stdout
    assert User.objects.get(username="demo-staff").is_staff is True
    assert Property.objects.count() == 5


def test_no_demo_staff_without_debug():
    run_command("seed_demo", "--listings", "1", "--agents", "1")

    assert not User.objects.filter(username="demo-staff").exists()


def test_negative_counts_are_refused():
    with pytest.raises(CommandError, match="cannot be negative"):
        call_command("seed_demo", "--listings", "-1")
