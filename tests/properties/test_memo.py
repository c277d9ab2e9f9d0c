"""Counts and market statistics computed once per listing data version, and still exact."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from properties import memo
from properties.factories import PropertyFactory, PropertyPhotoFactory
from properties.models import Property
from tests.properties.caches import BrokenCache
from users.factories import AgentFactory

pytestmark = pytest.mark.django_db

LIST = "/api/properties/"
STATS = "/api/market-stats/"


@pytest.fixture(autouse=True)
def _response_cache_off(settings):
    # Whole responses would hide what the memo does; it must work without them.
    settings.API_RESPONSE_CACHE = False


def count_statements(queries) -> int:
    return sum(1 for q in queries if q["sql"].lstrip().upper().startswith("SELECT COUNT("))


class TestCounts:
    def test_second_request_reads_the_stored_count(self, api_client):
        PropertyFactory.create_batch(3, status="active")
        assert api_client.get(LIST).json()["count"] == 3

        with CaptureQueriesContext(connection) as queries:
            assert api_client.get(LIST).json()["count"] == 3

        # The token and the page: no COUNT(*) over the listings.
        assert count_statements(queries.captured_queries) == 0
        assert len(queries.captured_queries) == 2

    @pytest.mark.parametrize(
        "write",
        [
            lambda listings: PropertyFactory(status="active"),
            lambda listings: listings[0].delete(),
            lambda listings: Property.objects.filter(pk=listings[1].pk).update(status="withdrawn"),
            lambda listings: Property.objects.filter(pk=listings[1].pk).update(
                internet_display=False
            ),
        ],
        ids=["create", "delete", "hidden-by-sql-update", "not-for-display"],
    )
    def test_count_is_exact_after_every_kind_of_write(self, api_client, write):
        listings = PropertyFactory.create_batch(3, status="active")
        assert api_client.get(LIST).json()["count"] == 3

        write(listings)

        expected = Property.objects.visible_to(AnonymousUser()).count()
        assert api_client.get(LIST).json()["count"] == expected != 3

    def test_filters_and_pages_have_their_own_counts(self, api_client):
        PropertyFactory.create_batch(2, status="active", property_type="land")
        PropertyFactory.create_batch(3, status="sold", property_type="residential")

        assert api_client.get(LIST, {"property_type": "land"}).json()["count"] == 2
        assert api_client.get(LIST, {"status": "sold"}).json()["count"] == 3
        assert api_client.get(LIST, {"status": "sold", "page_size": 1}).json()["count"] == 3
        assert api_client.get(LIST).json()["count"] == 5

    def test_an_agent_count_never_reaches_another_caller(self, api_client):
        agent = AgentFactory()
        PropertyFactory(status="withdrawn", listing_agent=agent)
        PropertyFactory(status="active")

        api_client.force_authenticate(agent)
        assert api_client.get(LIST).json()["count"] == 2
        api_client.force_authenticate(None)
        assert api_client.get(LIST).json()["count"] == 1
        api_client.force_authenticate(AgentFactory())
        assert api_client.get(LIST).json()["count"] == 1

    def test_a_photo_changes_the_version_not_the_count(self, api_client):
        listing = PropertyFactory(status="active")
        assert api_client.get(LIST).json()["count"] == 1

        PropertyPhotoFactory(property=listing)

        body = api_client.get(LIST).json()
        assert body["count"] == 1
        assert body["results"][0]["photo_count"] == 1

    def test_off_counts_every_time(self, api_client, settings):
        settings.LISTING_READ_MEMO = False
        PropertyFactory()
        api_client.get(LIST)

        with CaptureQueriesContext(connection) as queries:
            api_client.get(LIST)

        assert count_statements(queries.captured_queries) == 1

    def test_a_failing_cache_is_a_miss(self, monkeypatch):
        PropertyFactory.create_batch(2)

        monkeypatch.setattr(memo, "cache", BrokenCache())
        rows = Property.objects.visible_to(AnonymousUser())

        assert memo.per_data_version("count", rows, rows.count) == 2

    @pytest.mark.parametrize("rows", [1, 30])
    def test_query_count_is_fixed(self, api_client, django_assert_max_num_queries, rows):
        PropertyFactory.create_batch(rows)
        with django_assert_max_num_queries(3):  # token, count, page
            assert api_client.get(LIST).json()["count"] == rows
        with django_assert_max_num_queries(2):  # token, page
            assert api_client.get(LIST).json()["count"] == rows


class TestMarketStats:
    def test_stored_per_version_and_exact_after_a_write(self, api_client):
        PropertyFactory(status="sold", price=100000)
        PropertyFactory(status="sold", price=300000)
        first = api_client.get(STATS, {"status": "sold"}).json()
        assert (first["count"], first["median_price"]) == (2, "200000.00")

        with CaptureQueriesContext(connection) as queries:
            again = api_client.get(STATS, {"status": "sold"}).json()
        assert again == first
        assert len(queries.captured_queries) == 1  # the token only

        PropertyFactory(status="sold", price=500000)
        after = api_client.get(STATS, {"status": "sold"}).json()
        assert (after["count"], after["median_price"]) == (3, "300000.00")

    def test_each_filter_has_its_own_statistics(self, api_client):
        PropertyFactory(status="sold", price=100000)
        PropertyFactory(status="active", price=900000)

        assert api_client.get(STATS, {"status": "sold"}).json()["count"] == 1
        assert api_client.get(STATS, {"status": "active"}).json()["count"] == 1
        assert api_client.get(STATS).json()["count"] == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="only PostgreSQL replaces the token at commit"
)
def test_a_transaction_that_wrote_computes_instead_of_storing(settings):
    # Outside tests the token changes only as a writer commits: until then a count
    # of its own uncommitted rows must not be stored under the old token.
    PropertyFactory(status="active")
    rows = Property.objects.visible_to(AnonymousUser())
    calls = []

    def compute():
        calls.append(1)
        return rows.count()

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('hearth.listing_version_immediate', 'off', true)")
        PropertyFactory(status="active")
        assert memo.per_data_version("count", rows, compute) == 2
        assert memo.per_data_version("count", rows, compute) == 2
    assert len(calls) == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="search is ranked on PostgreSQL")
class TestRankedSearch:
    def test_pages_equal_the_unmemoized_ranking_and_follow_writes(self, api_client, settings):
        for n in range(12):
            PropertyFactory(status="active", description="garden " * (n % 4 + 1) + "pool")
        params = {"search": "garden pool", "page_size": 5}

        def all_pages():
            ids, page = [], 1
            while True:
                body = api_client.get(LIST, {**params, "page": page}).json()
                ids += [row["id"] for row in body["results"]]
                if not body["next"]:
                    return ids
                page += 1

        memoized = all_pages()
        with CaptureQueriesContext(connection) as queries:
            again = all_pages()
        # Read now: every request resets the connection's query log.
        captured = [q["sql"] for q in queries.captured_queries]
        settings.LISTING_READ_MEMO = False
        plain = all_pages()

        assert memoized == again == plain
        assert len(plain) == 12
        # Memoized pages: no ranking of every match, no count: token and page each.
        assert len(captured) == 2 * 3

        settings.LISTING_READ_MEMO = True
        newest = PropertyFactory(status="active", description="garden " * 9 + "pool")
        assert all_pages()[0] == newest.pk
