"""The OData service and the REST API answer the same question with the same listings."""

import pytest

from properties.factories import PropertyFactory
from tests.reso.conftest import ROOT, keys

pytestmark = pytest.mark.django_db

# REST filter parameters and the OData $filter that asks the same.
SAME_QUESTIONS = [
    ({"status": "active"}, "StandardStatus eq 'Active'"),
    ({"status": "pending,sold"}, "StandardStatus in ('Pending', 'Closed')"),
    ({"property_type": "land"}, "PropertyType eq 'Land'"),
    ({"price_min": "300000", "price_max": "600000"}, "ListPrice ge 300000 and ListPrice le 600000"),
    ({"bedrooms_min": "3"}, "BedroomsTotal ge 3"),
    ({"city": "austin"}, "tolower(City) eq 'austin'"),
    ({"state": "TX", "living_area_min": "1500"}, "StateOrProvince eq 'TX' and LivingArea ge 1500"),
    ({"year_built_min": "1990", "year_built_max": "2010"}, "YearBuilt ge 1990 and YearBuilt le 2010"),  # noqa: E501
]  # fmt: skip


@pytest.fixture
def listings():
    statuses = ["active", "pending", "sold", "coming_soon", "withdrawn"]
    kinds = ["residential", "commercial", "industrial", "land"]
    return [
        PropertyFactory(status=statuses[n % 5], property_type=kinds[n % 4], listing_agent=None)
        for n in range(40)
    ]


@pytest.mark.parametrize(("rest", "odata_filter"), SAME_QUESTIONS)
def test_rest_and_odata_agree(api_client, odata, listings, rest, odata_filter):
    rest_ids = {
        str(row["id"])
        for row in api_client.get("/api/properties/", {**rest, "page_size": 100}).json()["results"]
    }
    odata_ids = set(keys(odata.get(ROOT + "Property", {"$filter": odata_filter, "$top": "1000"})))

    assert odata_ids == rest_ids
    assert odata_ids  # the question has answers, so agreeing means something
