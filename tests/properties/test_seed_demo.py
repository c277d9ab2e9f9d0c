from collections import Counter

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIRequestFactory

from properties.factories import CITIES, STATUS_WEIGHTS
from properties.models import (
    ListingDataVersion,
    OpenHouse,
    PriceChange,
    Property,
    PropertyPhoto,
)
from properties.serializers import PropertySerializer
from reso.models import EntityEvent
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


def photo_summaries():
    """Per MLS number: (photo_total, primary photo's file name, positions, file names)."""
    summaries = {}
    for listing in Property.objects.prefetch_related("photos").order_by("mls_number"):
        photos = sorted(listing.photos.all(), key=lambda photo: (photo.position, photo.id))
        summaries[listing.mls_number] = (
            listing.photo_total,
            listing.primary_photo_image.rsplit("/", 1)[-1],
            [photo.position for photo in photos],
            [photo.image.name.rsplit("/", 1)[-1] for photo in photos],
        )
    return summaries


def test_the_same_seed_gives_the_same_photos():
    run_command("seed_demo", "--listings", "60", "--agents", "2", "--seed", "5", "--photos")
    first = photo_summaries()
    Property.objects.all().delete()
    User.objects.all().delete()

    run_command("seed_demo", "--listings", "60", "--agents", "2", "--seed", "5", "--photos")

    assert photo_summaries() == first
    assert any(total for total, *_ in first.values())


def test_another_seed_gives_other_data():
    run_command("seed_demo", "--listings", "30", "--agents", "2", "--seed", "5")
    first = seeded_data()[0]
    Property.objects.all().delete()
    User.objects.all().delete()

    run_command("seed_demo", "--listings", "30", "--agents", "2", "--seed", "6")

    assert seeded_data()[0] != first


def test_photos_go_to_one_listing_in_three_and_their_summary_is_the_databases():
    run = run_command("seed_demo", "--listings", "600", "--agents", "5", "--seed", "3", "--photos")

    photos = PropertyPhoto.objects.all()
    assert f"600 listings, {photos.count()} photos and " in run.stdout
    per_listing = Counter(photos.values_list("property_id", flat=True))
    assert 150 <= len(per_listing) <= 250  # one in three of 600 is 200
    assert set(per_listing.values()) == {1, 2, 3, 4}
    for listing in Property.objects.all():
        mine = sorted(
            photos.filter(property=listing).values_list("position", "id", "image"),
        )
        # What the photo_summary and listing_change_times rules keep, for every listing.
        assert listing.photo_total == len(mine)
        assert listing.primary_photo_image == (mine[0][2] if mine else "")
        assert (listing.photos_changed_at is not None) == bool(mine)
        assert [position for position, *_ in mine] == list(range(len(mine)))
    # Every photo is an upload's path (no MLS URL), as the model's constraint wants.
    assert not photos.exclude(source_url="").exists()
    assert not photos.filter(image="").exists()


def test_without_photos_no_photo_is_written():
    run_command("seed_demo", "--listings", "50", "--agents", "2", "--seed", "3")

    assert PropertyPhoto.objects.count() == 0
    assert Property.objects.exclude(photo_total=0).count() == 0
    assert Property.objects.filter(photos_changed_at__isnull=False).count() == 0


def test_every_seeded_record_has_its_entity_event():
    run_command("seed_demo", "--listings", "90", "--agents", "3", "--seed", "4", "--photos")

    def keys(resource):
        return set(
            EntityEvent.objects.filter(resource_name=resource).values_list(
                "resource_record_key", flat=True
            )
        )

    assert keys("Property") == {str(pk) for pk in Property.objects.values_list("pk", flat=True)}
    assert keys("Media") == {str(pk) for pk in PropertyPhoto.objects.values_list("pk", flat=True)}
    assert keys("OpenHouse") == {str(pk) for pk in OpenHouse.objects.values_list("pk", flat=True)}
    assert keys("Member") == {str(pk) for pk in User.objects.agents().values_list("pk", flat=True)}
    # One event per photo, not one per trigger that touched it.
    media_events = EntityEvent.objects.filter(resource_name="Media")
    assert media_events.count() == PropertyPhoto.objects.count()


def test_seeding_replaces_the_data_version():
    before = ListingDataVersion.objects.get().token

    run_command("seed_demo", "--listings", "20", "--agents", "1", "--seed", "4", "--photos")

    assert ListingDataVersion.objects.get().token != before


def test_seeded_values_follow_the_factories_distributions():
    run_command("seed_demo", "--listings", "800", "--agents", "8", "--seed", "9")

    listings = list(Property.objects.all())
    statuses = Counter(listing.status for listing in listings)
    assert set(statuses) == set(STATUS_WEIGHTS)
    assert 360 <= statuses[Property.Status.ACTIVE] <= 520  # 55 % of 800 is 440
    types = Counter(listing.property_type for listing in listings)
    assert 560 <= types[Property.PropertyType.RESIDENTIAL] <= 680  # 78 % is 624
    cities = {row[0]: row for row in CITIES}
    for listing in listings:
        city = cities[listing.city]
        assert (listing.state, listing.postal_code[:3]) == (city[1], city[2])
        assert abs(listing.latitude - city[3]) < 0.7 and abs(listing.longitude - city[4]) < 0.9
        assert listing.price >= 10_000
        assert listing.original_list_price >= listing.price
        assert listing.status_changed_at.date() == listing.listed_at
        if listing.property_type == Property.PropertyType.LAND:
            assert (listing.living_area, listing.year_built) == (None, None)
        if listing.property_type == Property.PropertyType.RESIDENTIAL:
            assert 1 <= listing.bedrooms <= 8 and listing.bathrooms_full >= 1
        else:
            assert (listing.bedrooms, listing.bathrooms_full) == (None, None)
    hidden = sum(not listing.internet_display for listing in listings)
    assert 5 <= hidden <= 40  # one in forty of 800 is 20
    open_houses = OpenHouse.objects.all()
    assert 40 <= open_houses.count() <= 110  # one in six of ~440 active is ~73
    assert not open_houses.exclude(property__status=Property.Status.ACTIVE).exists()
    assert all(o.date > timezone.localdate() and o.end_time > o.start_time for o in open_houses)


def test_every_seeded_listing_is_valid_by_the_models_and_the_apis_rules(staff):
    run_command("seed_demo", "--listings", "150", "--agents", "3", "--seed", "11", "--photos")
    request = APIRequestFactory().put("/api/properties/1/")
    request.user = staff

    for listing in Property.objects.select_related("listing_agent"):
        listing.full_clean()
        shown = PropertySerializer(listing, context={"request": request}).data
        written = PropertySerializer(
            listing,
            data={**shown, "listing_agent_id": listing.listing_agent_id},
            context={"request": request},
        )
        assert written.is_valid(), (listing.mls_number, written.errors)


def test_the_api_serves_the_seeded_listings(api_client, django_assert_max_num_queries):
    run_command("seed_demo", "--listings", "120", "--agents", "3", "--seed", "12", "--photos")
    public = Property.objects.visible_to(AnonymousUser())
    with_photos = public.exclude(photo_total=0).order_by("id").first()

    with django_assert_max_num_queries(6):
        page = api_client.get("/api/properties/?page_size=100&ordering=price")
    detail = api_client.get(f"/api/properties/{with_photos.pk}/")

    assert page.status_code == 200
    assert page.json()["count"] == public.count()
    assert [row["id"] for row in page.json()["results"]] == list(
        public.order_by("price", "id").values_list("id", flat=True)[:100]
    )
    assert detail.status_code == 200
    body = detail.json()
    assert body["photo_count"] == with_photos.photos.count()
    first_photo = with_photos.photos.order_by("position", "id").first()
    assert body["primary_photo"] == f"http://testserver/media/{first_photo.image.name}"
    assert body["mls_number"] == with_photos.mls_number
    assert body["price"] == f"{with_photos.price:.2f}"


def test_photos_written_through_their_triggers_give_the_same_listings(monkeypatch):
    # Where triggers may be paused (PostgreSQL, superuser), photos are written without
    # them and their effects in bulk; that must be indistinguishable from the triggers'.
    args = ("seed_demo", "--listings", "90", "--agents", "2", "--seed", "8", "--photos")
    run_command(*args)
    quiet = photo_summaries(), seeded_data()
    Property.objects.all().delete()
    User.objects.all().delete()
    monkeypatch.setattr("properties.demo_data.triggers_can_pause", lambda: False)

    run_command(*args)

    assert (photo_summaries(), seeded_data()) == quiet


def test_a_deleted_listings_id_is_not_given_to_a_seeded_one():
    run_command("seed_demo", "--listings", "5", "--agents", "1", "--seed", "1")
    first_run = set(Property.objects.values_list("id", flat=True))
    Property.objects.filter(id=max(first_run)).delete()

    run_command("seed_demo", "--listings", "5", "--agents", "1", "--seed", "2")

    second_run = set(Property.objects.values_list("id", flat=True)) - first_run
    assert len(second_run) == 5
    assert min(second_run) > max(first_run)
