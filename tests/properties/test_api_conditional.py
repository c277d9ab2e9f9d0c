"""ETag, If-None-Match (304) and If-Match (412) on listings."""

from decimal import Decimal

import pytest
from django.db import connection

from properties.factories import PropertyFactory
from properties.models import Property, PropertyPhoto
from users.factories import AgentFactory
from users.models import User

pytestmark = pytest.mark.django_db


def detail(listing):
    return f"/api/properties/{listing.pk}/"


def test_detail_has_an_etag_that_changes_on_write(agent_api, agent):
    listing = PropertyFactory(listing_agent=agent)
    first = agent_api.get(detail(listing))["ETag"]

    agent_api.patch(detail(listing), {"description": "New roof"})

    second = agent_api.get(detail(listing))["ETag"]
    assert first.startswith('"') and first.endswith('"')
    assert first != second


def test_if_none_match_with_current_tag_is_304(api_client):
    listing = PropertyFactory()
    etag = api_client.get(detail(listing))["ETag"]

    response = api_client.get(detail(listing), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response["ETag"] == etag
    assert response.content == b""


def test_if_none_match_with_old_tag_is_200(api_client):
    listing = PropertyFactory()

    response = api_client.get(detail(listing), HTTP_IF_NONE_MATCH='"1-19990101000000000000"')

    assert response.status_code == 200


def test_write_response_carries_the_new_etag(agent_api, agent):
    listing = PropertyFactory(listing_agent=agent)

    response = agent_api.patch(detail(listing), {"bedrooms": 5})

    assert response["ETag"] == agent_api.get(detail(listing))["ETag"]


@pytest.mark.parametrize("method", ["put", "patch"])
def test_stale_if_match_is_412_and_changes_nothing(agent_api, agent, method):
    listing = PropertyFactory(listing_agent=agent, price=Decimal("500000.00"))
    stale = agent_api.get(detail(listing))["ETag"]
    agent_api.patch(detail(listing), {"description": "someone else's edit"})
    body = {
        "property_type": "land",
        "street_address": "1 Other Rd",
        "city": "Boston",
        "state": "MA",
        "postal_code": "02108",
        "price": "1.00",
    }

    response = getattr(agent_api, method)(detail(listing), body, HTTP_IF_MATCH=stale)

    assert response.status_code == 412
    assert "detail" in response.json()
    listing.refresh_from_db()
    assert (listing.price, listing.description) == (Decimal("500000.00"), "someone else's edit")
    assert not listing.price_changes.exists()


def test_current_if_match_writes(agent_api, agent):
    listing = PropertyFactory(listing_agent=agent)
    etag = agent_api.get(detail(listing))["ETag"]

    response = agent_api.patch(detail(listing), {"bedrooms": 6}, HTTP_IF_MATCH=etag)

    assert response.status_code == 200
    listing.refresh_from_db()
    assert listing.bedrooms == 6


def test_weak_if_match_never_matches(agent_api, agent):
    listing = PropertyFactory(listing_agent=agent)
    etag = agent_api.get(detail(listing))["ETag"]

    response = agent_api.patch(detail(listing), {"bedrooms": 6}, HTTP_IF_MATCH=f"W/{etag}")

    assert response.status_code == 412


def test_if_match_star_writes(agent_api, agent):
    listing = PropertyFactory(listing_agent=agent)

    assert agent_api.patch(detail(listing), {"bedrooms": 6}, HTTP_IF_MATCH="*").status_code == 200


def test_stale_if_match_on_delete_is_412_and_keeps_the_listing(agent_api, agent):
    listing = PropertyFactory(listing_agent=agent)

    response = agent_api.delete(detail(listing), HTTP_IF_MATCH='"stale"')

    assert response.status_code == 412
    assert Property.objects.filter(pk=listing.pk).exists()


def test_current_if_match_on_delete_deletes(agent_api, agent):
    listing = PropertyFactory(listing_agent=agent)
    etag = agent_api.get(detail(listing))["ETag"]

    assert agent_api.delete(detail(listing), HTTP_IF_MATCH=etag).status_code == 204
    assert list(Property.objects.archived().values_list("pk", flat=True)) == [listing.pk]
    assert agent_api.get(detail(listing)).status_code == 404


class TestTheTagFollowsWhatTheBodyShows:
    """A change to anything the detail body shows moves its ETag, whatever wrote it."""

    def read(self, api_client, listing):
        response = api_client.get(detail(listing))
        return response["ETag"], response.json()

    def assert_changed(self, api_client, listing, before):
        old_tag, old_body = before
        new_tag, new_body = self.read(api_client, listing)
        assert new_body != old_body
        assert new_tag != old_tag
        assert api_client.get(detail(listing), HTTP_IF_NONE_MATCH=old_tag).status_code == 200

    def test_the_agents_new_phone_number(self, api_client):
        agent = AgentFactory(phone="555-0100")
        listing = PropertyFactory(listing_agent=agent)
        before = self.read(api_client, listing)

        User.objects.filter(pk=agent.pk).update(phone="555-0199")

        self.assert_changed(api_client, listing, before)

    def test_a_photo_written_without_the_services(self, api_client):
        listing = PropertyFactory()
        before = self.read(api_client, listing)

        PropertyPhoto.objects.bulk_create(
            [PropertyPhoto(property=listing, image="photos/x.jpg", position=0, width=1, height=1)]
        )

        self.assert_changed(api_client, listing, before)

    def test_a_column_updated_by_raw_sql_without_updated_at(self, api_client):
        listing = PropertyFactory(description="Old roof")
        before = self.read(api_client, listing)

        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE properties_property SET description = 'New roof' WHERE id = %s",
                [listing.pk],
            )

        self.assert_changed(api_client, listing, before)

    def test_if_match_with_the_tag_read_before_the_agent_changed_is_412(self, staff_api):
        agent = AgentFactory(phone="555-0100")
        listing = PropertyFactory(listing_agent=agent, bedrooms=2)
        stale = staff_api.get(detail(listing))["ETag"]
        User.objects.filter(pk=agent.pk).update(first_name="Renamed")

        response = staff_api.patch(detail(listing), {"bedrooms": 5}, HTTP_IF_MATCH=stale)

        assert response.status_code == 412
        assert Property.objects.get(pk=listing.pk).bedrooms == 2

    def test_an_unrelated_change_keeps_the_tag(self, api_client):
        agent = AgentFactory()
        listing = PropertyFactory(listing_agent=agent)
        tag = api_client.get(detail(listing))["ETag"]

        User.objects.filter(pk=agent.pk).update(bio="Not shown on listings")
        PropertyFactory()

        assert api_client.get(detail(listing), HTTP_IF_NONE_MATCH=tag).status_code == 304
