"""An agent cannot take over a listing number an MLS feed owns (issue 14, finding 4)."""

import pytest
from rest_framework.test import APIClient

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
