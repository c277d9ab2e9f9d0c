"""Market statistics: hand-computed counts, medians and averages, filters and visibility."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from properties import selectors
from properties.factories import PropertyFactory
from properties.models import Property

pytestmark = pytest.mark.django_db

URL = "/api/market-stats/"
ZERO_STATUSES = dict.fromkeys(Property.Status.values, 0)
ZERO_TYPES = dict.fromkeys(Property.PropertyType.values, 0)


def listing(price, living_area, status="active", property_type="residential", **kwargs):
    return PropertyFactory(
        price=Decimal(price),
        living_area=living_area,
        status=status,
        property_type=property_type,
        **kwargs,
    )


@pytest.fixture
def market(agent):
    """Five public listings and one withdrawn (its agent's), near Austin unless stated."""
    where = {"latitude": 30.0, "longitude": -97.0, "city": "Austin"}
    return {
        "a": listing("100000", 1000, description="zyzzyva floors", **where),  # 100 / sq ft
        "b": listing("200000", 1000, **where),  # 200 / sq ft
        "c": listing("300000", 1000, status="sold", **where),  # 300 / sq ft
        "d": listing("1000000", 2500, status="pending", property_type="commercial", **where),
        "e": listing("50000", None, property_type="land", latitude=40.0, longitude=-105.0),
        "hidden": listing(
            "5000000", 5000, status="withdrawn", listing_agent=agent, **where
        ),  # 1000 / sq ft
    }


class TestNumbers:
    def test_anonymous_sees_public_listings_only(self, api_client, market):
        response = api_client.get(URL)

        assert response.status_code == 200
        # prices 50k 100k 200k 300k 1M: median 200k, mean 1.65M / 5;
        # per sq ft (land has no area) 100 200 300 400: median (200 + 300) / 2
        assert response.json() == {
            "count": 5,
            "median_price": "200000.00",
            "average_price": "330000.00",
            "median_price_per_sqft": "250.00",
            "by_status": {**ZERO_STATUSES, "active": 3, "sold": 1, "pending": 1},
            "by_property_type": {**ZERO_TYPES, "residential": 3, "commercial": 1, "land": 1},
        }

    def test_staff_and_the_agent_include_the_withdrawn_listing(self, api_client, staff, market):
        for reader in (staff, market["hidden"].listing_agent):
            api_client.force_authenticate(reader)
            body = api_client.get(URL).json()
            # prices 50k 100k 200k 300k 1M 5M: median (200k + 300k) / 2, mean 6.65M / 6;
            # per sq ft 100 200 300 400 1000: median 300
            assert (body["count"], body["median_price"], body["average_price"]) == (
                6,
                "250000.00",
                "1108333.33",
            )
            assert body["median_price_per_sqft"] == "300.00"
            assert body["by_status"]["withdrawn"] == 1

    def test_another_agent_does_not_see_the_withdrawn_listing(self, agent_api, market):
        market["hidden"].listing_agent = None
        market["hidden"].save()

        assert agent_api.get(URL).json()["count"] == 5

    def test_empty_result(self, api_client, market):
        response = api_client.get(URL, {"city": "Nowhere"})

        assert response.status_code == 200
        assert response.json() == {
            "count": 0,
            "median_price": None,
            "average_price": None,
            "median_price_per_sqft": None,
            "by_status": ZERO_STATUSES,
            "by_property_type": ZERO_TYPES,
        }

    def test_no_listings_at_all(self, api_client):
        body = api_client.get(URL).json()

        assert (body["count"], body["median_price"], body["median_price_per_sqft"]) == (
            0,
            None,
            None,
        )

    def test_no_living_areas_gives_no_price_per_sqft(self, api_client):
        listing("100000", None, property_type="land")

        body = api_client.get(URL).json()

        assert (body["count"], body["median_price"], body["median_price_per_sqft"]) == (
            1,
            "100000.00",
            None,
        )

    def test_exact_to_the_cent(self, api_client):
        # Median of two prices one cent apart is a half cent: rounded half up on every database.
        listing("100000.00", 3)
        listing("100000.01", 3)

        body = api_client.get(URL).json()

        assert body["median_price"] == "100000.01"
        assert body["average_price"] == "100000.01"
        # 100000.00 / 3 = 33333.333... and 100000.01 / 3 = 33333.336...: mean 200000.01 / 6
        # = 33333.335 exactly, rounded half up.
        assert body["median_price_per_sqft"] == "33333.34"

    def test_large_prices_stay_exact(self, api_client):
        listing("987654321098.75", 1000)
        listing("987654321098.76", 1000)
        listing("1.01", 1000)

        body = api_client.get(URL).json()

        assert body["median_price"] == "987654321098.75"
        assert body["average_price"] == "658436214066.17"  # 1975308642198.52 / 3


class TestFilters:
    def test_status_filter(self, api_client, market):
        body = api_client.get(URL, {"status": "active"}).json()

        # 50k 100k 200k; mean 350k / 3; per sq ft 100 200
        assert (body["count"], body["median_price"], body["average_price"]) == (
            3,
            "100000.00",
            "116666.67",
        )
        assert body["median_price_per_sqft"] == "150.00"
        assert body["by_status"] == {**ZERO_STATUSES, "active": 3}

    def test_combined_filters(self, api_client, market):
        body = api_client.get(
            URL, {"property_type": "residential,commercial", "price_min": "150000"}
        ).json()

        # b, c, d: 200k 300k 1M; per sq ft 200 300 400
        assert (body["count"], body["median_price"], body["average_price"]) == (
            3,
            "300000.00",
            "500000.00",
        )
        assert body["median_price_per_sqft"] == "300.00"
        assert body["by_property_type"] == {**ZERO_TYPES, "residential": 2, "commercial": 1}

    def test_near_filter(self, api_client, market):
        body = api_client.get(URL, {"near": "30,-97", "radius_km": "5"}).json()

        assert (body["count"], body["median_price"]) == (4, "250000.00")

    def test_search_filter(self, api_client, market):
        body = api_client.get(URL, {"search": "zyzzyva"}).json()

        assert (body["count"], body["median_price"]) == (1, "100000.00")

    def test_ordering_is_accepted_and_ignored(self, api_client, market):
        assert api_client.get(URL, {"ordering": "-price"}).json()["count"] == 5

    @pytest.mark.parametrize(
        ("params", "key"),
        [
            ({"price_min": "cheap"}, "price_min"),
            ({"status": "bogus"}, "status"),
            ({"bbox": "1,2"}, "bbox"),
            ({"radius_km": "5"}, "radius_km"),
            ({"near": "30,-97", "radius_km": "501"}, "radius_km"),
            ({"ordering": "colour"}, "ordering"),
        ],
    )
    def test_invalid_filter_is_400_keyed_by_parameter(self, api_client, params, key):
        response = api_client.get(URL, params)

        assert response.status_code == 400
        assert list(response.json()) == [key]

    @pytest.mark.parametrize("rows", [1, 10])
    def test_query_count_is_fixed(self, api_client, django_assert_max_num_queries, rows):
        for i in range(rows):
            listing(100000 + i, 1000)

        # The data version (response cache, then the memo); counts and sums in one
        # query; medians in one (PostgreSQL) or two.
        with django_assert_max_num_queries(5):
            assert api_client.get(URL).json()["count"] == rows


class TestMedianInTheDatabase:
    def test_postgresql_uses_percentile_cont_and_others_the_middle_rows(self, api_client):
        for price in ("100000", "200000", "400000", "800000"):
            listing(price, 1000)

        with CaptureQueriesContext(connection) as queries:
            body = api_client.get(URL).json()

        assert body["median_price"] == "300000.00"
        sql = " ".join(q["sql"] for q in queries.captured_queries).upper()
        if connection.vendor == "postgresql":
            assert "PERCENTILE_CONT(0.5) WITHIN GROUP" in sql
        else:
            assert "LIMIT 2 OFFSET 1" in sql

    def test_middle_rows_fallback_is_exact_on_every_database(self):
        listing("100000.00", 3)
        listing("100000.01", 3)
        queryset = Property.objects.all()

        median_price, median_per_sqft = selectors._medians_exact(queryset, count=2, with_area=2)

        assert median_price == Decimal("100000.005")
        assert selectors.to_cents(median_per_sqft) == Decimal("33333.34")
