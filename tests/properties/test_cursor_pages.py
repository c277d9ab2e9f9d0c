"""`?cursor=` on the listing list: pages that continue from a row's position, not an offset."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from properties.factories import PropertyFactory
from properties.models import Property

LIST = "/api/properties/"

pytestmark = pytest.mark.django_db


def _follow(api_client, params, link="next"):
    """Every page from the first one by ``link``: (the listing ids in order, the pages read)."""
    response = api_client.get(LIST, {"cursor": "", **params})
    pages = [response.json()]
    while pages[-1][link]:
        response = api_client.get(pages[-1][link])
        assert response.status_code == 200, response.json()
        pages.append(response.json())
    return [item["id"] for page in pages for item in page["results"]], pages


def _numbered(api_client, params):
    """The same listings read through ``?page=``, for comparison."""
    ids, page = [], 1
    while True:
        body = api_client.get(LIST, {**params, "page": page, "page_size": 100}).json()
        ids += [item["id"] for item in body["results"]]
        if not body["next"]:
            return ids
        page += 1


@pytest.fixture
def listings():
    # Prices in pairs, so the ordering key ties and only the id tells rows apart.
    return [PropertyFactory(price=Decimal(100_000 + (n // 2) * 1_000)) for n in range(11)]


@pytest.mark.parametrize(
    "ordering", [None, "price", "-price", "created_at", "-updated_at", "listed_at"]
)
def test_following_next_reads_every_listing_once_in_the_pages_order(api_client, listings, ordering):
    params = {"page_size": 3, **({"ordering": ordering} if ordering else {})}

    ids, pages = _follow(api_client, params)

    assert ids == _numbered(api_client, params)
    assert sorted(ids) == sorted(listing.pk for listing in listings)
    assert [len(page["results"]) for page in pages] == [3, 3, 3, 2]
    # The same shape as numbered pages, count included.
    assert {page["count"] for page in pages} == {11}
    assert pages[0]["previous"] is None


def test_previous_links_walk_back_through_the_same_pages(api_client, listings):
    params = {"page_size": 4, "ordering": "price"}
    _, pages = _follow(api_client, params)

    back = [pages[-1]]
    while back[-1]["previous"]:
        back.append(api_client.get(back[-1]["previous"]).json())

    assert [[item["id"] for item in page["results"]] for page in reversed(back)] == [
        [item["id"] for item in page["results"]] for page in pages
    ]


def test_a_listing_added_before_the_position_does_not_shift_the_next_page(api_client, listings):
    first = api_client.get(LIST, {"cursor": "", "page_size": 4, "ordering": "price"}).json()
    # Given a cheaper listing, created after the first page was read
    PropertyFactory(price=Decimal("50000"))

    second = api_client.get(first["next"]).json()

    by_price = sorted(listings, key=lambda listing: (listing.price, listing.pk))
    assert [item["id"] for item in second["results"]] == [item.pk for item in by_price[4:8]]


def test_listings_the_caller_may_not_see_are_never_paged(api_client, listings):
    hidden = PropertyFactory(status=Property.Status.WITHDRAWN, price=Decimal("100500"))

    ids, pages = _follow(api_client, {"page_size": 5, "ordering": "price"})

    assert hidden.pk not in ids
    assert len(ids) == pages[0]["count"] == 11


def test_cursor_pages_keep_the_filters(api_client, listings):
    cheap = {listing.pk for listing in listings if listing.price <= 102_000}

    ids, _ = _follow(api_client, {"page_size": 2, "price_max": "102000", "ordering": "-price"})

    assert set(ids) == cheap and len(ids) == len(cheap)


def test_a_page_reads_the_same_queries_whatever_its_size(
    api_client, listings, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4) as small:
        api_client.get(LIST, {"cursor": "", "page_size": 2})
    for _ in range(30):
        PropertyFactory(created_at=timezone.now() - timedelta(days=1))
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = api_client.get(LIST, {"cursor": "", "page_size": 100}).json()
    assert len(body["results"]) == 41


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"cursor": "not-a-cursor"}, "cursor", "Invalid cursor"),
        ({"cursor": "cD1ub3QganNvbg=="}, "cursor", "Invalid cursor"),  # p=not json
        ({"cursor": "", "ordering": "bedrooms"}, "cursor", "Cursor pages follow an ordering"),
        ({"cursor": "", "ordering": "price,-created_at"}, "cursor", "Cursor pages follow"),
        ({"cursor": "", "near": "39.74,-104.99"}, "cursor", "Cursor pages follow an ordering"),
        ({"cursor": "", "page": "2"}, "page", "Give page or cursor, not both."),
        ({"cursor": ["", ""]}, "cursor", "Give this parameter once"),
    ],
    ids=[
        "garbage",
        "not-json",
        "nullable-key",
        "two-keys",
        "nearest-first",
        "page-too",
        "repeated",
    ],
)
def test_a_bad_cursor_request_answers_400_naming_the_parameter(
    api_client, listings, params, field, message
):
    response = api_client.get(LIST, params)

    assert response.status_code == 400
    assert message in response.json()[field][0]


def test_a_cursor_is_refused_under_another_ordering(api_client, listings):
    by_price = api_client.get(LIST, {"cursor": "", "page_size": 3, "ordering": "price"}).json()
    cursor = by_price["next"].split("cursor=")[1].split("&")[0]

    response = api_client.get(LIST, {"cursor": cursor, "ordering": "-updated_at"})

    assert response.status_code == 400
    assert "Invalid cursor" in response.json()["cursor"][0]


def test_the_schema_documents_the_cursor_parameter(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()

    parameters = {p["name"] for p in schema["paths"][LIST]["get"]["parameters"]}
    assert {"cursor", "page", "page_size"} <= parameters


def test_the_browsable_api_shows_previous_and_next_for_cursor_pages(client):
    PropertyFactory.create_batch(25)

    response = client.get(LIST, {"cursor": ""}, HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert 'class="pager"' in response.content.decode()
    assert "cursor=" in response.content.decode()
