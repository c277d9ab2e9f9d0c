"""Every OData query option on known listings, through an API client's token."""

import datetime
from decimal import Decimal

import pytest

from mls.factories import MlsSourceFactory
from properties.factories import PropertyFactory, PropertyPhotoFactory
from properties.models import Property
from tests.reso.conftest import ROOT, error, keys, values

pytestmark = pytest.mark.django_db


@pytest.fixture
def listings(agent):
    """Four public listings with chosen values, and one withdrawn that clients never see."""
    made = {
        "austin": PropertyFactory(
            city="Austin", state="TX", price=Decimal("300000.00"), bedrooms=3,
            bathrooms_full=2, bathrooms_half=1, status=Property.Status.ACTIVE, listing_agent=agent,
            listed_at=datetime.date(2026, 3, 1), property_type=Property.PropertyType.RESIDENTIAL,
        ),
        "denver": PropertyFactory(
            city="Denver", state="CO", price=Decimal("450000.00"), bedrooms=4,
            bathrooms_full=3, bathrooms_half=0, status=Property.Status.PENDING, listing_agent=agent,
            listed_at=datetime.date(2026, 4, 1), property_type=Property.PropertyType.RESIDENTIAL,
        ),
        "boston": PropertyFactory(
            city="Boston", state="MA", price=Decimal("1200000.50"), bedrooms=None,
            bathrooms_full=None, bathrooms_half=None, status=Property.Status.SOLD,
            sold_at=datetime.date(2026, 6, 1),
            sold_price=Decimal("1190000.00"), listed_at=datetime.date(2026, 5, 1),
            property_type=Property.PropertyType.COMMERCIAL,
        ),
        "dallas": PropertyFactory(
            city="Dallas", state="TX", price=Decimal("99000.00"), bedrooms=None,
            bathrooms_full=None, bathrooms_half=None, status=Property.Status.COMING_SOON,
            originating_system="Northstar MLS",
            listed_at=datetime.date(2026, 7, 1), property_type=Property.PropertyType.LAND,
        ),
        "hidden": PropertyFactory(
            city="Austin", state="TX", price=Decimal("310000.00"),
            status=Property.Status.WITHDRAWN,
        ),
    }  # fmt: skip
    return {name: str(listing.pk) for name, listing in made.items()}


def get(odata, resource="Property", **params):
    return odata.get(ROOT + resource, {f"${k}": v for k, v in params.items()})


def test_a_record_carries_dd_names_and_json_numbers(odata, listings):
    record = odata.get(f"{ROOT}Property('{listings['boston']}')").json()

    assert record["ListingKey"] == listings["boston"]
    assert record["StandardStatus"] == "Closed"
    assert record["PropertyType"] == "Commercial Sale"
    assert record["ListPrice"] == 1200000.5
    assert record["ClosePrice"] == 1190000
    assert record["CloseDate"] == "2026-06-01"
    assert record["City"] == "Boston"
    assert record["PropertySubType"] is None
    assert record["@odata.context"].endswith("/reso/odata/$metadata#Property/$entity")


def test_bathrooms_total_integer_counts_a_half_bath_as_one(odata, listings):
    record = odata.get(f"{ROOT}Property('{listings['austin']}')").json()

    assert record["BathroomsTotalInteger"] == 3


def test_the_list_shows_public_statuses_only_to_an_api_client(odata, listings):
    response = get(odata, orderby="ListingKey")

    assert keys(response) == [listings[n] for n in ("austin", "denver", "boston", "dallas")]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("ListPrice gt 300000", ["denver", "boston"]),
        ("ListPrice ge 300000 and ListPrice le 450000", ["austin", "denver"]),
        ("ListPrice lt 100000 or City eq 'Boston'", ["boston", "dallas"]),
        ("not (StateOrProvince eq 'TX')", ["denver", "boston"]),
        ("City ne 'Austin'", ["denver", "boston", "dallas"]),
        ("StandardStatus eq 'Active'", ["austin"]),
        ("StandardStatus eq 'Coming Soon'", ["dallas"]),
        ("StandardStatus in ('Pending', 'Closed')", ["denver", "boston"]),
        ("PropertyType eq 'Commercial Sale'", ["boston"]),
        ("contains(StandardStatus, 'os')", ["boston"]),
        ("startswith(City, 'Da')", ["dallas"]),
        ("endswith(City, 'ton')", ["boston"]),
        ("contains(tolower(City), 'usti')", ["austin"]),
        ("City in ('Denver', 'Dallas')", ["denver", "dallas"]),
        ("BedroomsTotal eq null", ["boston", "dallas"]),
        ("BathroomsTotalInteger ge 3", ["austin", "denver"]),
        ("ListingContractDate ge 2026-04-01 and ListingContractDate lt 2026-07-01", ["denver", "boston"]),  # noqa: E501
        ("CloseDate eq 2026-06-01", ["boston"]),
        ("ModificationTimestamp gt 2000-01-01T00:00:00Z", ["austin", "denver", "boston", "dallas"]),
        ("OriginatingSystemName eq 'Northstar MLS'", ["dallas"]),
        ("BathroomsFull eq 3 and BathroomsHalf eq 0", ["denver"]),
    ],
)  # fmt: skip
def test_filter(odata, listings, expression, expected):
    response = get(odata, filter=expression, orderby="ListingKey")

    assert keys(response) == [listings[name] for name in expected]


def test_filter_on_the_list_agent(odata, listings, agent):
    response = get(odata, filter=f"ListAgentKey eq '{agent.pk}'", orderby="ListingKey")

    assert keys(response) == [listings["austin"], listings["denver"]]


def test_orderby_descending_and_by_two_fields(odata, listings):
    by_price = get(odata, orderby="ListPrice desc")
    by_state_then_price = get(odata, orderby="StateOrProvince asc, ListPrice desc")

    assert keys(by_price) == [listings[n] for n in ("boston", "denver", "austin", "dallas")]
    assert keys(by_state_then_price) == [
        listings[n] for n in ("denver", "boston", "austin", "dallas")
    ]


def test_select_returns_only_the_named_fields(odata, listings):
    response = get(odata, select="ListingKey,ListPrice", filter="City eq 'Denver'")

    assert values(response) == [{"ListingKey": listings["denver"], "ListPrice": 450000}]
    assert response.json()["@odata.context"].endswith("$metadata#Property(ListingKey,ListPrice)")


def test_top_skip_and_count(odata, listings):
    response = get(odata, orderby="ListPrice", top="2", skip="1", count="true")

    assert keys(response) == [listings["austin"], listings["denver"]]
    assert response.json()["@odata.count"] == 4


def test_expand_media_and_list_agent(odata, listings, agent, django_assert_max_num_queries):
    listing = Property.objects.get(pk=listings["austin"])
    second = PropertyPhotoFactory(property=listing, position=2, caption="Kitchen")
    first = PropertyPhotoFactory(property=listing, position=1, caption="Front")

    with django_assert_max_num_queries(8):
        response = get(
            odata, expand="Media,ListAgent", filter=f"ListingKey eq '{listings['austin']}'"
        )

    [record] = values(response)
    assert [m["MediaKey"] for m in record["Media"]] == [str(first.pk), str(second.pk)]
    assert record["Media"][0]["ShortDescription"] == "Front"
    assert record["Media"][0]["MediaURL"].startswith("http://testserver/media/photos/")
    assert record["Media"][0]["ResourceRecordKey"] == listings["austin"]
    assert record["ListAgent"]["MemberKey"] == str(agent.pk)
    assert record["ListAgent"]["MemberEmail"] == agent.email


def test_a_page_costs_the_same_queries_whatever_its_size(odata, django_assert_max_num_queries):
    for listing in PropertyFactory.create_batch(30):
        PropertyPhotoFactory(property=listing)

    # Token lookup (2), the page, the count, the photos prefetch; no query per row.
    with django_assert_max_num_queries(7):
        response = get(odata, top="30", count="true", expand="Media,ListAgent")

    assert len(values(response)) == 30


def test_top_limits_the_answer_and_next_links_page_through_the_rest(odata, listings):
    limited = odata.get(ROOT + "Property", {"$orderby": "ModificationTimestamp", "$top": "3"})
    assert len(keys(limited)) == 3
    assert "@odata.nextLink" not in limited.json()  # the client asked for three

    PropertyFactory.create_batch(150, listing_agent=None)
    seen, pages = [], 0
    url = f"{ROOT}Property?$orderby=ModificationTimestamp&$count=true"
    while url:
        response = odata.get(url)
        seen += keys(response)
        pages += 1
        url = response.json().get("@odata.nextLink")
    assert pages == 2  # the service's page is 100 records
    assert len(seen) == len(set(seen)) == 154
    assert set(seen) == set(
        str(pk) for pk in Property.objects.exclude(status="withdrawn").values_list("pk", flat=True)
    )


def test_fetch_by_key_with_select_and_expand(odata, listings):
    response = odata.get(
        f"{ROOT}Property('{listings['denver']}')", {"$select": "City", "$expand": "ListAgent"}
    )

    body = response.json()
    assert body["City"] == "Denver"
    assert set(body) == {"@odata.context", "City", "ListAgent"}


def test_member_media_lookup_and_entity_event_are_collections(odata, listings, agent):
    members = keys(get(odata, "Member", filter=f"MemberKey eq '{agent.pk}'"), "MemberKey")
    lookups = values(
        get(odata, "Lookup", filter="LookupName eq 'StandardStatus'", orderby="LookupValue")
    )
    events = values(
        get(
            odata,
            "EntityEvent",
            filter="ResourceName eq 'Property'",
            top="2",
            orderby="EntityEventSequence desc",
        )
    )

    assert members == [str(agent.pk)]
    assert [row["LookupValue"] for row in lookups] == [
        "Active", "Closed", "Coming Soon", "Expired", "Pending", "Withdrawn",
    ]  # fmt: skip
    assert lookups[2]["LegacyODataValue"] == "ComingSoon"
    assert [e["ResourceRecordKey"] for e in events] == [listings["hidden"], listings["dallas"]]
    assert events[0]["ResourceRecordUrl"] == (
        f"http://testserver/reso/odata/Property('{listings['hidden']}')"
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"$filter": "Bogus eq 1"}, "$filter: Property has no field 'Bogus'."),
        ({"$filter": "ListPrice eq"}, "$filter: cannot parse 'ListPrice eq' at position 9."),
        ({"$filter": "(ListPrice gt 1"}, "$filter: the expression ends too early."),
        ({"$filter": "City eq 'Austin"}, "$filter: unexpected \"'Austin\" at position 8."),
        ({"$filter": "ListPrice"}, "$filter: the expression is not a condition (true or false)."),
        ({"$filter": "ListPrice eq 'cheap'"}, "$filter: ListPrice takes a number, not 'cheap'."),
        ({"$filter": "City in ('A', 2)"}, "$filter: City takes text, in single quotes, not '2'."),
        ({"$filter": "ListingContractDate gt 'x'"}, "$filter: ListingContractDate takes a date (2026-01-31), not 'x'."),  # noqa: E501
        ({"$orderby": "Bogus"}, "$orderby: Property has no field 'Bogus'."),
        ({"$orderby": "ListPrice sideways"}, "$orderby: 'ListPrice sideways' is not 'Field', 'Field asc' or 'Field desc'."),  # noqa: E501
        ({"$select": "ListPrice,,City"}, "$select: expected a comma-separated list of fields, got 'ListPrice,,City'."),  # noqa: E501
        ({"$select": "Nope"}, "$select: Property has no field 'Nope'."),
        ({"$expand": "BuyerAgent"}, "$expand: Property expands to Media, ListAgent, ListOffice, OpenHouse, not 'BuyerAgent'."),  # noqa: E501
        ({"$top": "-1"}, "$top: expected a whole number ≥ 0, got '-1'."),
        ({"$skip": "x"}, "$skip: expected a whole number ≥ 0, got 'x'."),
        ({"$count": "maybe"}, "$count: expected true or false, got 'maybe'."),
        ({"$search": "pool"}, "$search: this query option is not supported."),
        ({"$skiptoken": "garbage!"}, "$skiptoken: not a token this service issued."),
    ],
)  # fmt: skip
def test_a_malformed_query_answers_400_naming_the_problem(odata, listings, params, message):
    response = odata.get(ROOT + "Property", params)

    assert error(response, 400) == message


def test_an_unknown_key_or_resource_answers_404(odata, listings):
    assert error(odata.get(f"{ROOT}Property('999999')"), 404) == (
        "No Property with ListingKey '999999'."
    )
    assert error(odata.get(f"{ROOT}Property('{listings['hidden']}')"), 404) == (
        f"No Property with ListingKey '{listings['hidden']}'."
    )
    assert error(odata.get(f"{ROOT}Property('abc')"), 404) == "No Property with ListingKey 'abc'."
    assert error(odata.get(f"{ROOT}Showing"), 404) == (
        "No resource 'Showing'; see the service document."
    )


def test_a_listing_id_two_mls_numberings_share_filters_to_both(odata):
    local = PropertyFactory(mls_number="MLS-777")
    synced = PropertyFactory(mls_number="MLS-777", mls_source=MlsSourceFactory(), source_key="1")

    response = odata.get(f"{ROOT}Property", {"$filter": "ListingId eq 'MLS-777'"})

    assert sorted(keys(response)) == sorted([str(local.pk), str(synced.pk)])


def test_media_of_a_replicated_listing_serve_its_mls_url(odata):
    photo = PropertyPhotoFactory(from_mls=True, property__status=Property.Status.ACTIVE)

    response = odata.get(f"{ROOT}Media")

    assert [m["MediaURL"] for m in values(response)] == [photo.source_url]
