"""Repeated query parameters: multi-value filters take them, single-value ones answer 400."""

from decimal import Decimal

import pytest

from properties.factories import PropertyFactory

pytestmark = pytest.mark.django_db

LIST = "/api/properties/"
STATS = "/api/market-stats/"


def ids(response):
    assert response.status_code == 200, response.json()
    return sorted(row["id"] for row in response.json()["results"])


@pytest.fixture
def by_status():
    return {status: PropertyFactory(status=status) for status in ("active", "pending", "sold")}


def test_repeated_status_is_every_value(api_client, by_status):
    response = api_client.get(f"{LIST}?status=active&status=pending")

    assert ids(response) == sorted([by_status["active"].id, by_status["pending"].id])


def test_repeated_and_comma_separated_mix(api_client, by_status):
    response = api_client.get(f"{LIST}?status=active,sold&status=pending")

    assert ids(response) == sorted(listing.id for listing in by_status.values())


def test_repeated_property_type(api_client):
    land = PropertyFactory(property_type="land")
    shop = PropertyFactory(property_type="commercial")
    PropertyFactory(property_type="residential")

    response = api_client.get(f"{LIST}?property_type=land&property_type=commercial")

    assert ids(response) == sorted([land.id, shop.id])


def test_repeated_status_in_market_stats(api_client, by_status):
    response = api_client.get(f"{STATS}?status=active&status=pending")

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert response.json()["by_status"]["active"] == 1
    assert response.json()["by_status"]["pending"] == 1


def test_repeated_ordering_is_every_key(api_client):
    cheap_small = PropertyFactory(price=Decimal("100000"), bedrooms=1)
    cheap_big = PropertyFactory(price=Decimal("100000"), bedrooms=5)
    dear = PropertyFactory(price=Decimal("900000"), bedrooms=3)

    response = api_client.get(f"{LIST}?ordering=price&ordering=-bedrooms")

    assert [row["id"] for row in response.json()["results"]] == [
        cheap_big.id,
        cheap_small.id,
        dear.id,
    ]


def test_an_unknown_status_among_repeated_ones_is_400(api_client, by_status):
    response = api_client.get(f"{LIST}?status=active&status=bogus")

    assert response.status_code == 400
    assert list(response.json()) == ["status"]


@pytest.mark.parametrize(
    "query, name",
    [
        ("city=denver&city=boston", "city"),
        ("price_min=1&price_min=2", "price_min"),
        ("listing_agent=1&listing_agent=2", "listing_agent"),
        ("search=a&search=b", "search"),
        ("near=30,-97&near=31,-97", "near"),
        ("page=1&page=2", "page"),
        ("page_size=5&page_size=10", "page_size"),
    ],
)
def test_a_repeated_single_value_parameter_is_400_naming_it(api_client, query, name):
    PropertyFactory()

    response = api_client.get(f"{LIST}?{query}")

    assert response.status_code == 400
    assert response.json() == {name: ["Give this parameter once: it takes a single value."]}


def test_a_repeated_single_value_parameter_is_400_in_market_stats(api_client):
    response = api_client.get(f"{STATS}?city=a&city=b")

    assert response.status_code == 400
    assert list(response.json()) == ["city"]


@pytest.mark.parametrize(
    "query, name", [("role=agent&role=client", "role"), ("search=a&search=b", "search")]
)
def test_repeated_user_filters_are_400(staff_api, query, name):
    response = staff_api.get(f"/api/users/?{query}")

    assert response.status_code == 400
    assert list(response.json()) == [name]


def test_empty_multi_value_filter_means_not_given(api_client, by_status):
    response = api_client.get(f"{LIST}?status=&city=")

    assert ids(response) == sorted(listing.id for listing in by_status.values())
