"""EntityEvent: one event for every create, change and delete, whatever wrote it."""

import importlib
import time
from collections import Counter

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import F

from properties import services
from properties.bulk import listings_upsert
from properties.factories import OpenHouseFactory, PropertyFactory, PropertyPhotoFactory
from properties.importing import listings_import
from properties.models import Property, PropertyPhoto
from reso.models import EntityEvent
from tests.reso.conftest import ROOT, error, jwt_client, values
from users.factories import AgentFactory, OfficeFactory, UserFactory
from users.models import User

pytestmark = pytest.mark.django_db


def a_later_millisecond():
    """Let SQLite's clock pass a millisecond before the next write.

    SQLite's rule does not repeat the newest event for the same record in the
    same millisecond (another rule's correcting UPDATE of a row just written);
    a write the test makes a moment later is a change of its own.
    """
    time.sleep(0.002)


@pytest.fixture
def events():
    """Events written after this point, as (ResourceName, ResourceRecordKey) pairs."""
    start = EntityEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def since():
        return list(
            EntityEvent.objects.filter(id__gt=start)
            .order_by("id")
            .values_list("resource_name", "resource_record_key")
        )

    return since


def test_rest_api_create_change_delete_of_a_listing(events, staff):
    api = jwt_client(staff)
    body = {
        "property_type": "residential", "street_address": "1 Elm St", "city": "Austin",
        "state": "TX", "postal_code": "78701", "price": "300000.00",
    }  # fmt: skip

    created = api.post("/api/properties/", body, format="json")
    key = str(created.json()["id"])
    after_create = len(events())
    a_later_millisecond()
    api.patch(f"/api/properties/{key}/", {"price": "290000.00"}, format="json")
    after_change = len(events())
    a_later_millisecond()
    api.delete(f"/api/properties/{key}/")

    assert created.status_code == 201
    written = events()
    assert set(written) == {("Property", key)}
    # Each of the three is announced: a consumer learns of the change and the delete.
    assert 0 < after_create < after_change < len(written)
    if connection.vendor == "postgresql":
        # The create's second statement stores the generated MLS number: a change too.
        # (SQLite does not repeat an event within a millisecond; see a_later_millisecond.)
        assert len(written) == 4


def test_queryset_update_bulk_create_and_raw_sql(events):
    first, second = PropertyFactory(), PropertyFactory()
    before = len(events())

    Property.objects.filter(pk__in=[first.pk, second.pk]).update(status="pending")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE properties_property SET city = 'Raw' WHERE id = %s", [first.pk])
        # Raw SQL deletes what refers to the listing first, as the foreign keys require
        # (the status change above is in its change history).
        cursor.execute("DELETE FROM properties_listingchange WHERE property_id = %s", [second.pk])
        cursor.execute("DELETE FROM properties_property WHERE id = %s", [second.pk])

    assert events()[before:] == [
        ("Property", str(first.pk)),
        ("Property", str(second.pk)),
        ("Property", str(first.pk)),
        ("Property", str(second.pk)),
    ]


def test_bulk_writes_add_one_event_per_row(events):
    # PostgreSQL writes the events of a statement at its end, all at once (issue 16).
    agents = AgentFactory.create_batch(2)
    client = UserFactory()
    before = len(events())

    # Given three listings created by one INSERT
    listings = Property.objects.bulk_create(
        PropertyFactory.build(listing_agent=agents[0]) for _ in range(3)
    )
    keys = [("Property", str(listing.pk)) for listing in listings]
    assert events()[before:] == keys  # in the order written

    # When one UPDATE changes all three, then one rewrites a column with its own value
    before = len(events())
    Property.objects.filter(pk__in=[listing.pk for listing in listings]).update(
        price=F("price") + 1
    )
    Property.objects.filter(pk__in=[listing.pk for listing in listings]).update(city=F("city"))
    # Then the change is one event per row, the non-change none
    assert Counter(events()[before:]) == Counter(keys)

    # When one upsert changes one listing and adds another
    before = len(events())
    changed = Property.objects.get(pk=listings[0].pk)
    changed.pk, changed.price = None, changed.price + 1  # a feed's row: no id
    added = PropertyFactory.build(listing_agent=None)
    listings_upsert([changed, added], update_fields=["price", "updated_at"])
    # Then each is one event
    assert Counter(events()[before:]) == Counter([keys[0], ("Property", str(added.pk))])

    # When logins of two agents and a client are one UPDATE, then their phones another
    before = len(events())
    users = User.objects.filter(pk__in=[agents[0].pk, agents[1].pk, client.pk])
    users.update(last_login="2026-01-01T00:00:00Z")
    assert events()[before:] == []  # a login is no change of the record
    users.update(phone="555-0199")
    # Then the agents are one event each, the client none (not a Member)
    assert Counter(events()[before:]) == Counter(("Member", str(agent.pk)) for agent in agents)

    # When one UPDATE moves two photos (a table with a column named "position")
    photographed = PropertyFactory(listing_agent=agents[0])
    photos = PropertyPhotoFactory.create_batch(2, property=photographed)
    before = len(events())
    PropertyPhoto.objects.filter(property=photographed).update(position=F("position") + 10)
    # Then each photo is one Media event
    media = [event for event in events()[before:] if event[0] == "Media"]
    assert Counter(media) == Counter(("Media", str(photo.pk)) for photo in photos)

    # When one DELETE removes the three listings
    before = len(events())
    Property.objects.filter(pk__in=[listing.pk for listing in listings]).delete()
    assert Counter(events()[before:]) == Counter(keys)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite kept its row triggers")
def test_upgrading_drops_the_per_row_trigger_it_replaces(events):
    # Given a database as it was before reso 0002: a per-row trigger also writing events
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION reso_entity_event() RETURNS trigger AS $$ BEGIN "
            "INSERT INTO reso_entityevent (resource_name, resource_record_key, created_at) "
            "VALUES ('Property', NEW.id::text, now()); RETURN NULL; END; $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER properties_property_entity_event AFTER UPDATE ON properties_property "
            "FOR EACH ROW EXECUTE FUNCTION reso_entity_event()"
        )
    listing = PropertyFactory()

    # When the migration runs
    migration = importlib.import_module("reso.migrations.0002_entity_events_per_statement")
    with connection.schema_editor() as editor:
        migration.drop_row_triggers(apps, editor)

    # Then a change is one event again, and the old function is gone
    before = len(events())
    Property.objects.filter(pk=listing.pk).update(price=F("price") + 1)
    assert events()[before:] == [("Property", str(listing.pk))]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_proc WHERE proname = 'reso_entity_event'")
        assert cursor.fetchone() == (0,)


def test_a_write_that_changes_nothing_adds_no_event(events):
    listing = PropertyFactory()
    before = len(events())

    Property.objects.filter(pk=listing.pk).update(city=listing.city)

    assert events()[before:] == []


def test_bulk_status_service_and_import(events, tmp_path):
    listing = PropertyFactory(status="active")
    before = len(events())
    a_later_millisecond()

    services.properties_set_status(queryset=Property.objects.filter(pk=listing.pk), status="sold")
    result = listings_import(
        records=[
            (
                1,
                {
                    "ListingId": "IMP0001", "StandardStatus": "Active", "PropertyType": "Land",
                    "UnparsedAddress": "9 Field Rd", "City": "Waco", "StateOrProvince": "TX",
                    "PostalCode": "76701", "ListPrice": 50000,
                },
            )
        ]
    )  # fmt: skip

    imported = Property.objects.get(mls_number="IMP0001")
    assert result.created == 1
    assert ("Property", str(listing.pk)) in events()[before:]
    assert ("Property", str(imported.pk)) in events()[before:]


def test_photos_are_media_events_and_touch_their_listing(events):
    listing = PropertyFactory()
    before = len(events())

    photo = PropertyPhotoFactory(property=listing)
    key = str(photo.pk)
    services.photo_delete(photo=photo)

    written = events()[before:]
    assert [event for event in written if event[0] == "Media"] == [("Media", key)] * 2
    # The photo count and change time the listing serves changed: its consumers hear of it.
    assert ("Property", str(listing.pk)) in written


def test_deleting_a_listing_reports_its_photos_and_open_houses_gone(events):
    listing = PropertyFactory()
    photo = PropertyPhotoFactory(property=listing)
    open_house = OpenHouseFactory(property=listing)
    keys = {"Media": str(photo.pk), "OpenHouse": str(open_house.pk), "Property": str(listing.pk)}
    before = len(events())

    listing.delete()

    assert set(events()[before:]) == set(keys.items())


def test_members_are_agents_only_and_logins_are_no_change(events):
    agent = AgentFactory()
    client = UserFactory()
    member = ("Member", str(agent.pk))
    assert events()[-1] == member or member in events()

    count = len(events())
    User.objects.filter(pk=agent.pk).update(last_login="2026-01-01T00:00:00Z")
    assert len(events()) == count  # a login is no change of the record

    for change in ({"phone": "555-0100"}, {"role": "client"}):  # no longer a Member: dropped
        User.objects.filter(pk=agent.pk).update(**change)
        # SQLite writes one event per record and millisecond; the newest names the agent.
        assert events()[-1] == member
    assert ("Member", str(client.pk)) not in events()


def test_offices_are_events_too(events):
    before = len(events())

    office = OfficeFactory()
    key = ("Office", str(office.pk))
    assert events()[before:] == [key]
    office.name = "Renamed Realty"
    office.save()
    assert events()[-1] == key
    office.delete()
    assert events()[-1] == key


def test_the_sequence_rises_and_the_feed_is_read_only(odata, staff):
    PropertyFactory.create_batch(3)

    feed = values(odata.get(ROOT + "EntityEvent", {"$orderby": "EntityEventSequence"}))
    sequences = [event["EntityEventSequence"] for event in feed]

    assert sequences == sorted(sequences)
    assert len(set(sequences)) == len(sequences)
    api = jwt_client(staff)
    assert error(api.post(ROOT + "EntityEvent", {}, format="json"), 405) == (
        "EntityEvent is read-only; only Property takes writes."
    )
    assert error(api.delete(f"{ROOT}EntityEvent({sequences[0]})"), 405) == (
        "EntityEvent is read-only; only Property takes writes."
    )
    assert EntityEvent.objects.filter(id=sequences[0]).exists()
