"""Imports of RESO DD 2.0 payloads as MLSs send them: names, spellings, flags, ignored columns."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest

from properties.factories import PropertyFactory
from properties.models import Property
from tests.properties.clock import stamp_floor
from tests.properties.command_helpers import reso_row, run_command, write_csv, write_json
from users.factories import AgentFactory

pytestmark = pytest.mark.django_db

NORTHSTAR = Path(__file__).resolve().parent.parent / "data" / "reso" / "northstar-listing.json"
UTC = datetime.UTC

# Everything a listing is, except what the database assigns.
STORED_FIELDS = [
    field.attname
    for field in Property._meta.concrete_fields
    if field.name not in {"id", "created_at", "updated_at", "archived_at"}
]


def snapshot():
    return {row["mls_number"]: row for row in Property.objects.values(*STORED_FIELDS)}


def test_a_northstar_mls_listing_imports_with_every_field_hearth_stores_kept():
    # Given the agent the MLS names, and a real-shaped MLS Grid payload of 126 fields
    agent = AgentFactory(email="jane.broker@example.com")

    # When it is imported
    run = run_command("import_listings", str(NORTHSTAR))

    # Then every field Hearth has a place for is stored, as the MLS sent it
    assert run.code == 0, run.stderr
    listing = Property.objects.get()
    assert {name: getattr(listing, name) for name in STORED_FIELDS} == {
        "mls_number": "6512345",
        # A file import belongs to no MLS source (those are mls.sync's).
        "mls_source_id": None,
        "mls_scope": 0,  # local numbering
        "source_key": "",
        "status": "pending",
        "property_type": "residential",
        "street_address": "3340 Colfax Avenue S",
        "unit": "",
        "city": "Minneapolis",
        "state": "MN",
        "postal_code": "55408",
        "country": "US",
        "latitude": 44.94213,
        "longitude": -93.29176,
        "price": Decimal("425000.00"),
        "bedrooms": 3,
        "bathrooms_full": 1,
        "bathrooms_half": 1,
        "bathrooms": Decimal("1.5"),
        "living_area": 1850,
        "lot_size": Decimal("5227.20"),
        "year_built": 1912,
        "description": "Classic 1912 two-story four blocks from Bde Maka Ska: natural "
        "woodwork, a wood-burning fireplace and a two-car garage off the alley.",
        "listing_agent_id": agent.pk,
        "listed_at": datetime.date(2026, 3, 2),
        "sold_at": None,
        "sold_price": None,
        "original_list_price": Decimal("439900.00"),
        "status_changed_at": datetime.datetime(2026, 3, 20, 16, 10, tzinfo=UTC),
        "price_changed_at": datetime.datetime(2026, 3, 12, 15, tzinfo=UTC),
        "photos_changed_at": None,  # Hearth's own photos, not the MLS's
        "internet_display": True,
        "originating_system": "northstar",
        "photo_total": 0,
        "primary_photo_image": "",
    }
    # And the fields Hearth has no place for are named, not dropped silently
    summary, ignored = run.last_line.split("; ignored columns: ")
    assert summary == "created 1, updated 0, unchanged 0, failed 0"
    ignored = ignored.split(", ")
    assert len(ignored) == 78
    assert ignored[:5] == [
        "OriginatingSystemKey",
        "MlgCanUse",
        "MlsStatus",
        "PostalCodePlus4",
        "CountyOrParish",
    ]
    assert {"StreetSuffix", "LotSizeSquareFeet", "MlgCanView", "ListingKey"}.isdisjoint(ignored)
    assert "@odata.id" not in ignored


@pytest.mark.parametrize("extension", ["csv", "json"])
def test_an_imported_mls_listing_round_trips_through_export_unchanged(tmp_path, extension):
    AgentFactory(email="jane.broker@example.com")
    run_command("import_listings", str(NORTHSTAR))
    expected = snapshot()
    path = tmp_path / f"listings.{extension}"
    run_command("export_listings", "--output", str(path))

    # Imported again over itself, nothing changes; into an empty database, all comes back
    again = run_command("import_listings", str(path))
    assert again.last_line == "created 0, updated 0, unchanged 1, failed 0"
    Property.objects.all().delete()
    fresh = run_command("import_listings", str(path))
    assert fresh.last_line == "created 1, updated 0, unchanged 0, failed 0"
    assert snapshot() == expected


def test_field_names_are_matched_case_insensitively(tmp_path):
    record = {
        "listingid": "CI-1",
        "STANDARDSTATUS": "ComingSoon",
        "propertyType": "ResidentialIncome",
        "listprice": 310000,
        "unparsedaddress": "9 Elm St",
        "city": "Austin",
        "stateorprovince": "TX",
        "postalcode": "78701",
        "lotsizesquarefeet": 5227.2,
        "BATHROOMSFULL": 2,
        "bathroomshalf": 1,
    }

    run = run_command("import_listings", write_json(tmp_path, [record]))

    assert run.last_line == "created 1, updated 0, unchanged 0, failed 0"
    assert Property.objects.values_list(
        "status", "property_type", "price", "lot_size", "bathrooms"
    ).get() == (
        "coming_soon",
        "residential",
        Decimal("310000.00"),
        Decimal("5227.20"),
        Decimal("2.5"),
    )


@pytest.mark.parametrize(
    "status, kind, expected",
    [
        ("ActiveUnderContract", "CommercialSale", ("pending", "commercial")),
        ("Active Under Contract", "Commercial Sale", ("pending", "commercial")),
        ("ComingSoon", "ResidentialIncome", ("coming_soon", "residential")),
        ("Closed", "BusinessOpportunity", ("sold", "commercial")),
        ("Hold", "ManufacturedInPark", ("withdrawn", "residential")),
    ],
)
def test_dd_enumerations_are_read_in_member_name_and_display_form(tmp_path, status, kind, expected):
    extra = {"ClosePrice": "1", "CloseDate": "2026-04-01"} if status == "Closed" else {}
    rows = [reso_row("E1", StandardStatus=status, PropertyType=kind, **extra)]

    run = run_command("import_listings", write_csv(tmp_path, rows))

    assert run.code == 0, run.stderr
    assert Property.objects.values_list("status", "property_type").get() == expected


def test_industrial_is_a_commercial_sale_with_the_industrial_subtype(tmp_path):
    rows = [
        reso_row("I1", PropertyType="CommercialSale", PropertySubType="Industrial"),
        reso_row("I2", PropertyType="CommercialSale", PropertySubType="Warehouse"),
    ]

    run_command("import_listings", write_csv(tmp_path, rows))

    assert dict(Property.objects.values_list("mls_number", "property_type")) == {
        "I1": "industrial",
        "I2": "commercial",
    }


@pytest.mark.parametrize(
    "flags, displayed",
    [
        ({"MlgCanView": False}, False),
        ({"InternetEntireListingDisplayYN": False}, False),
        ({"MlgCanView": True, "InternetEntireListingDisplayYN": False}, False),
        ({"MlgCanView": False, "InternetEntireListingDisplayYN": True}, False),
        ({"MlgCanView": True, "InternetEntireListingDisplayYN": True}, True),
        ({}, True),
    ],
)
def test_display_flags_decide_whether_the_listing_is_published(
    tmp_path, api_client, flags, displayed
):
    record = {**reso_row("F1"), **flags}

    run_command("import_listings", write_json(tmp_path, [record]))

    listing = Property.objects.get()
    assert listing.internet_display is displayed
    # A listing the MLS does not let anyone publish is not served to the public
    response = api_client.get(f"/api/properties/{listing.pk}/")
    assert response.status_code == (200 if displayed else 404)
    assert api_client.get("/api/properties/").json()["count"] == int(displayed)


def test_csv_display_flags_are_read_as_text(tmp_path):
    rows = [
        reso_row("Y1", InternetEntireListingDisplayYN="true"),
        reso_row("N1", InternetEntireListingDisplayYN="N"),
        reso_row("B1", InternetEntireListingDisplayYN=""),
        reso_row("X1", InternetEntireListingDisplayYN="maybe"),
    ]

    run = run_command("import_listings", write_csv(tmp_path, rows))

    assert run.error_lines == [
        "row 5 (ListingId X1): InternetEntireListingDisplayYN: 'maybe' is not true or false."
    ]
    assert dict(Property.objects.values_list("mls_number", "internet_display")) == {
        "Y1": True,
        "N1": False,
        "B1": True,
    }


def test_a_feed_with_only_listing_keys_is_keyed_on_them(tmp_path):
    record = reso_row("unused")
    del record["ListingId"]
    record["ListingKey"] = "KEY-42"

    run = run_command("import_listings", write_json(tmp_path, {"value": [record]}))

    assert run.last_line == "created 1, updated 0, unchanged 0, failed 0"
    assert Property.objects.get().mls_number == "KEY-42"


def test_street_parts_make_the_whole_address(tmp_path):
    rows = [
        reso_row(
            "A1",
            UnparsedAddress="",
            StreetNumber="3340",
            StreetDirPrefix="",
            StreetName="Colfax",
            StreetSuffix="Avenue",
            StreetDirSuffix="S",
        ),
        reso_row(
            "A2",
            UnparsedAddress="",
            StreetNumber="12",
            StreetDirPrefix="N",
            StreetName="Main",
            StreetSuffix="St",
            StreetDirSuffix="",
        ),
    ]

    run_command("import_listings", write_csv(tmp_path, rows))

    assert dict(Property.objects.values_list("mls_number", "street_address")) == {
        "A1": "3340 Colfax Avenue S",
        "A2": "12 N Main St",
    }


@pytest.mark.parametrize(
    "fields, counts",
    [
        ({"BathroomsTotalInteger": "3"}, (3, 0)),
        ({"BathroomsTotalInteger": "2.5"}, (2, 1)),  # Hearth's exports before DD 2.0
        ({"BathroomsFull": "2", "BathroomsHalf": "1", "BathroomsTotalInteger": "3"}, (2, 1)),
        ({"BathroomsFull": "2"}, (2, None)),
    ],
)
def test_bathrooms_come_as_counts_or_a_total(tmp_path, fields, counts):
    run = run_command("import_listings", write_csv(tmp_path, [reso_row("B1", **fields)]))

    assert run.code == 0, run.stderr
    assert Property.objects.values_list("bathrooms_full", "bathrooms_half").get() == counts


def test_a_bad_bathroom_count_is_reported_by_its_dd_name(tmp_path):
    rows = [
        reso_row("B1", BathroomsFull="-1", BathroomsTotalInteger=""),
        reso_row("B2", BathroomsFull="", BathroomsTotalInteger="2.25"),
    ]

    run = run_command("import_listings", write_csv(tmp_path, rows))

    assert run.error_lines == [
        "row 2 (ListingId B1): BathroomsFull: Ensure this value is greater than or equal to 0.",
        "row 3 (ListingId B2): BathroomsFull: A valid integer is required.",
    ]
    assert Property.objects.count() == 0


def test_unknown_columns_are_named_once_in_the_summary(tmp_path):
    rows = [reso_row("U1", Shoe="x", Colour="red"), reso_row("U2", Shoe="y", Colour="")]

    run = run_command("import_listings", write_csv(tmp_path, rows))

    assert run.last_line == (
        "created 2, updated 0, unchanged 0, failed 0; ignored columns: Shoe, Colour"
    )


def test_lot_size_in_acres_is_converted_when_square_feet_are_not_given(tmp_path):
    run_command("import_listings", write_csv(tmp_path, [reso_row("L1", LotSizeAcres="0.12")]))

    assert Property.objects.get().lot_size == Decimal("5227.20")


def test_a_changed_status_and_price_are_stamped_when_the_feed_has_no_timestamps(tmp_path):
    listing = PropertyFactory(
        mls_number="T1",
        status="active",
        price=Decimal("500000.00"),
        status_changed_at=datetime.datetime(2026, 1, 1, tzinfo=UTC),
        price_changed_at=None,
    )
    before = stamp_floor()
    rows = [reso_row("T1", StandardStatus="Pending", ListPrice="480000")]

    run_command("import_listings", write_csv(tmp_path, rows))

    listing.refresh_from_db()
    assert (listing.status, listing.price) == ("pending", Decimal("480000.00"))
    assert listing.status_changed_at >= before
    assert listing.price_changed_at >= before
    assert listing.price_changes.count() == 1


def test_a_new_listing_starts_its_history(tmp_path):
    before = stamp_floor()

    run_command("import_listings", write_csv(tmp_path, [reso_row("N1", ListPrice="450000")]))

    listing = Property.objects.get()
    assert listing.original_list_price == Decimal("450000.00")
    assert listing.status_changed_at >= before
    assert listing.price_changed_at is None


def test_the_northstar_fixture_is_a_reso_envelope_of_one_listing():
    document = json.loads(NORTHSTAR.read_text(encoding="utf-8"))
    assert len(document["value"]) == 1
    assert len(document["value"][0]) == 126
