"""An agent cannot take over a listing number an MLS feed owns (issue 14, finding 4)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from mls.factories import MlsSourceFactory
from properties.factories import PropertyFactory
from properties.models import Property
from tests.properties.command_helpers import reso_row, run_command, write_csv
from users.factories import AgentFactory, StaffFactory

pytestmark = pytest.mark.django_db

LIST = "/api/properties/"
NEW_LISTING = {
    "property_type": "residential",
    "street_address": "12 Elm St",
    "city": "Austin",
    "state": "TX",
    "postal_code": "78701",
    "price": "450000.00",
}


def _as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_an_agent_cannot_create_a_listing_under_a_chosen_number():
    agent = AgentFactory()

    response = _as(agent).post(LIST, {**NEW_LISTING, "mls_number": "MLS-777"})

    assert response.status_code == 400
    assert list(response.json()) == ["mls_number"]
    assert not Property.objects.exists()


@pytest.mark.parametrize("blank", ["", None])
def test_an_agent_leaving_the_number_blank_gets_a_generated_one(blank):
    agent = AgentFactory()

    response = _as(agent).post(LIST, {**NEW_LISTING, "mls_number": blank})

    assert response.status_code == 201
    assert response.json()["mls_number"] == f"H{response.json()['id']:07d}"


def test_an_agent_cannot_renumber_their_listing():
    agent = AgentFactory()
    listing = PropertyFactory(listing_agent=agent, mls_number="H0000042")

    response = _as(agent).patch(f"{LIST}{listing.pk}/", {"mls_number": "MLS-777"})

    assert response.status_code == 400
    assert list(response.json()) == ["mls_number"]
    listing.refresh_from_db()
    assert listing.mls_number == "H0000042"


def test_an_agent_may_send_the_number_back_unchanged():
    agent = AgentFactory()
    listing = PropertyFactory(listing_agent=agent, mls_number="H0000042")
    body = _as(agent).get(f"{LIST}{listing.pk}/").json()
    body = {k: v for k, v in body.items() if k not in {"listing_agent", "url", "id"}}

    response = _as(agent).put(f"{LIST}{listing.pk}/", {**body, "price": "460000.00"})

    assert response.status_code == 200, response.json()
    listing.refresh_from_db()
    assert (listing.mls_number, str(listing.price)) == ("H0000042", "460000.00")


def test_staff_set_the_number():
    response = _as(StaffFactory()).post(LIST, {**NEW_LISTING, "mls_number": "MLS-777"})

    assert response.status_code == 201
    assert Property.objects.get().mls_number == "MLS-777"


def test_a_feed_without_an_agent_takes_the_listing_away_from_whoever_held_its_number(tmp_path):
    # Given an agent's listing under a number (made before agents were stopped, or by staff)
    agent = AgentFactory()
    PropertyFactory(listing_agent=agent, mls_number="FEED-1", price="300000")

    # When the MLS feed, which owns that number, is imported without naming an agent
    run = run_command("import_listings", write_csv(tmp_path, [reso_row("FEED-1")]))

    # Then the listing is the feed's, and the agent can no longer change it
    assert run.code == 0
    listing = Property.objects.get(mls_number="FEED-1")
    assert listing.listing_agent_id is None
    assert str(listing.price) == "450000.00"
    response = _as(agent).patch(f"{LIST}{listing.pk}/", {"price": "1.00"})
    assert response.status_code == 403
    listing.refresh_from_db()
    assert str(listing.price) == "450000.00"


def test_a_feed_naming_the_agent_keeps_them(tmp_path):
    agent = AgentFactory(email="dana@example.com")
    PropertyFactory(listing_agent=agent, mls_number="FEED-1")

    run = run_command(
        "import_listings",
        write_csv(tmp_path, [reso_row("FEED-1", ListAgentEmail="Dana@Example.com")]),
    )

    assert run.code == 0
    assert Property.objects.get(mls_number="FEED-1").listing_agent_id == agent.pk


def test_a_feed_with_an_empty_agent_cell_clears_the_agent(tmp_path):
    agent = AgentFactory()
    PropertyFactory(listing_agent=agent, mls_number="FEED-1")

    run_command("import_listings", write_csv(tmp_path, [reso_row("FEED-1", ListAgentEmail="")]))

    assert Property.objects.get(mls_number="FEED-1").listing_agent_id is None


# --- MLS numbers are unique per MLS: among local listings, or within one source ---------


def test_staff_cannot_give_a_local_listing_a_number_another_local_listing_has():
    PropertyFactory(mls_number="MLS-777")

    response = _as(StaffFactory()).post(LIST, {**NEW_LISTING, "mls_number": "MLS-777"})

    assert response.status_code == 400
    assert response.json() == {"mls_number": ["Another listing already has this MLS number."]}
    assert Property.objects.count() == 1


def test_a_local_listing_may_use_a_number_an_mls_source_uses():
    synced = PropertyFactory(mls_number="MLS-777", mls_source=MlsSourceFactory(), source_key="9")

    response = _as(StaffFactory()).post(LIST, {**NEW_LISTING, "mls_number": "MLS-777"})

    assert response.status_code == 201, response.json()
    numbers = Property.objects.filter(mls_number="MLS-777").values_list("mls_source", flat=True)
    assert sorted(numbers, key=lambda s: s or 0) == [None, synced.mls_source_id]


def test_renumbering_a_synced_listing_is_checked_within_its_source():
    source = MlsSourceFactory()
    PropertyFactory(mls_number="A-1", mls_source=source, source_key="1")
    synced = PropertyFactory(mls_number="A-2", mls_source=source, source_key="2")
    PropertyFactory(mls_number="LOCAL-1")
    staff = _as(StaffFactory())

    clash = staff.patch(f"{LIST}{synced.pk}/", {"mls_number": "A-1"})
    free = staff.patch(f"{LIST}{synced.pk}/", {"mls_number": "LOCAL-1"})

    assert clash.status_code == 400
    assert clash.json() == {"mls_number": ["Another listing already has this MLS number."]}
    assert free.status_code == 200, free.json()


def test_the_model_check_names_the_field_for_forms():
    PropertyFactory(mls_number="MLS-777")
    listing = PropertyFactory.build(mls_number="MLS-777", listing_agent=None)

    with pytest.raises(ValidationError) as raised:
        listing.full_clean()

    assert raised.value.message_dict["mls_number"] == [
        "Another listing already has this MLS number."
    ]


def test_the_database_refuses_a_second_local_listing_with_a_number():
    PropertyFactory(mls_number="MLS-777")

    with pytest.raises(IntegrityError), transaction.atomic():
        PropertyFactory(mls_number="MLS-777")


def test_search_finds_every_listing_with_a_number():
    PropertyFactory(mls_number="MLS-777")
    PropertyFactory(mls_number="MLS-777", mls_source=MlsSourceFactory(), source_key="1")

    search = APIClient().get(LIST, {"search": "MLS-777"})

    assert search.json()["count"] == 2
