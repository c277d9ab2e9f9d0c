"""An OData page costs no more database work than the same REST list page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from properties.factories import PropertyFactory
from tests.reso.conftest import ROOT, keys

pytestmark = pytest.mark.django_db


def test_a_page_of_100_costs_no_more_queries_than_the_rest_list(odata, api_client, settings):
    settings.API_RESPONSE_CACHE = False  # compare the work, not the REST response cache
    PropertyFactory.create_batch(120, status="active", property_type="residential")

    with CaptureQueriesContext(connection) as rest:
        rest_page = api_client.get(
            "/api/properties/",
            {"status": "active", "property_type": "residential", "price_min": "1",
             "ordering": "-price", "page_size": "100"},
        )  # fmt: skip
    with CaptureQueriesContext(connection) as odata_queries:
        odata_page = odata.get(
            ROOT + "Property",
            {
                "$filter": "StandardStatus eq 'Active' and PropertyType eq 'Residential' "
                "and ListPrice ge 1",
                "$orderby": "ListPrice desc",
                "$top": "100",
                "$count": "true",
            },
        )

    assert keys(odata_page) == [str(row["id"]) for row in rest_page.json()["results"]]
    # OData's include the bearer token's lookup (the REST client here is anonymous).
    token_lookup = 1
    assert len(odata_queries) - token_lookup <= len(rest)
