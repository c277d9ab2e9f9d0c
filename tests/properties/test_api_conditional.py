"""ETag, If-None-Match (304) and If-Match (412) on listings."""

from decimal import Decimal

import pytest

from properties.factories import PropertyFactory
from properties.models import Property

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
