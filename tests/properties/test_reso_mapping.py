"""The Hearth <-> RESO DD 2.0 mapping (``properties.reso``) against RESO's own tables."""

import datetime
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest

from properties.factories import OpenHouseFactory, PropertyFactory, SoldPropertyFactory
from properties.models import OpenHouse, Property
from properties.reso import (
    LOOKUPS,
    MEMBER_FIELDS,
    OFFICE_FIELDS,
    OPEN_HOUSE_FIELDS,
    PROPERTY_FIELDS,
    hearth_values,
    listing_to_reso,
)
from properties.reso.fields import BOOLEAN, DATE, DECIMAL, INTEGER, STRING, TIMESTAMP
from properties.reso.lookups import status_from_dd, type_from_dd
from tests.properties.command_helpers import run_command
from tests.properties.dd_schema import DATA, dd_fields, dd_lookups, record_errors
from users.factories import AgentFactory, OfficeFactory

RESOURCES = [
    ("Property", PROPERTY_FIELDS),
    ("OpenHouse", OPEN_HOUSE_FIELDS),
    ("Office", OFFICE_FIELDS),
    ("Member", MEMBER_FIELDS),
]
DD_TYPES = {
    STRING: {"String", "String List, Single"},
    INTEGER: {"Number"},
    DECIMAL: {"Number"},
    BOOLEAN: {"Boolean"},
    DATE: {"Date"},
    TIMESTAMP: {"Timestamp"},
}


@pytest.mark.parametrize("resource, fields", RESOURCES, ids=[r for r, _ in RESOURCES])
def test_every_mapped_field_has_its_dd_name_type_lookup_and_size(resource, fields):
    dd = dd_fields()
    for field in fields:
        spec = dd.get((resource, field.name))
        assert spec is not None, f"{resource}.{field.name} is not a DD 2.0 field"
        assert spec.simple_type in DD_TYPES[field.type], field.name
        if spec.simple_type == "Number":
            # The DD's Number is an integer without a precision, a decimal with one.
            assert field.type == (DECIMAL if spec.precision else INTEGER), field.name
            assert field.scale == spec.precision, field.name
        assert field.lookup == spec.lookup, field.name
        if field.type == STRING:
            assert field.max_length == spec.max_length, field.name


def test_names_are_unique_within_each_resource():
    for _resource, fields in RESOURCES:
        names = [field.name for field in fields]
        assert len(names) == len(set(names))


def test_the_lookup_values_are_the_dds_in_both_spellings():
    dd = dd_lookups()
    for name, values in LOOKUPS.items():
        assert {(v.display, v.member) for v in values} == dd[name], name


def test_the_extract_matches_rescos_full_tables_when_they_are_at_hand():
    full = Path(os.environ.get("RESO_DD_DIR", "/work/shared/reso"))
    if not (full / "dd-2.0-fields.csv").exists():
        pytest.skip(f"RESO's full DD 2.0 tables are not in {full}")
    dd_fields.cache_clear()
    dd_lookups.cache_clear()
    try:
        complete_fields, complete_lookups = dd_fields(full), dd_lookups(full)
    finally:
        dd_fields.cache_clear()
        dd_lookups.cache_clear()
    extract_fields, extract_lookups = dd_fields(DATA), dd_lookups(DATA)
    assert all(complete_fields[key] == spec for key, spec in extract_fields.items())
    assert all(complete_lookups[name] == values for name, values in extract_lookups.items())


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Active Under Contract", "pending"),
        ("ActiveUnderContract", "pending"),
        ("activeundercontract", "pending"),
        ("ComingSoon", "coming_soon"),
        ("Coming Soon", "coming_soon"),
        ("coming_soon", "coming_soon"),
        ("Closed", "sold"),
        ("Canceled", "withdrawn"),
        ("Hold", "withdrawn"),
    ],
)
def test_statuses_are_read_in_either_dd_spelling_and_hearths(value, expected):
    assert status_from_dd(value) == expected


@pytest.mark.parametrize(
    "value, subtype, expected",
    [
        ("CommercialSale", None, "commercial"),
        ("Commercial Sale", "Industrial", "industrial"),
        ("CommercialSale", "Warehouse", "commercial"),
        ("ResidentialIncome", None, "residential"),
        ("Residential Income", "Industrial", "residential"),
        ("ManufacturedInPark", None, "residential"),
        ("Farm", None, "land"),
        ("Industrial", None, "industrial"),  # exports written before DD 2.0
    ],
)
def test_types_are_read_with_the_subtype_that_makes_industrial(value, subtype, expected):
    assert type_from_dd(value, subtype) == expected


def test_hearth_values_translate_a_dd_value_for_filters():
    assert hearth_values("StandardStatus", "Closed") == ["sold"]
    assert hearth_values("StandardStatus", "ActiveUnderContract") == []
    assert hearth_values("PropertyType", "CommercialSale") == ["commercial", "industrial"]
    assert hearth_values("PropertySubType", "Industrial") == ["industrial"]
    assert hearth_values("OpenHouseType", "broker") == ["broker"]


@pytest.mark.django_db
def test_a_listing_is_written_with_dd_types():
    agent = AgentFactory(first_name="Ada", last_name="Lovelace", office=OfficeFactory(name="Acme"))
    listing = PropertyFactory(
        listing_agent=agent,
        property_type=Property.PropertyType.INDUSTRIAL,
        price=Decimal("1250000.00"),
        bathrooms_full=2,
        bathrooms_half=1,
        lot_size=Decimal("5227.20"),
        listed_at=datetime.date(2026, 3, 1),
        status_changed_at=datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC),
    )

    record = listing_to_reso(Property.objects.select_related("listing_agent__office").get())

    assert record["ListingKey"] == str(listing.pk)
    assert record["PropertyType"] == "Commercial Sale"
    assert record["PropertySubType"] == "Industrial"
    assert record["ListPrice"] == 1250000
    assert record["LotSizeSquareFeet"] == 5227.2
    assert (record["BathroomsTotalInteger"], record["BathroomsFull"], record["BathroomsHalf"]) == (
        3,
        2,
        1,
    )
    assert record["ListAgentFullName"] == "Ada Lovelace"
    assert record["ListOfficeName"] == "Acme"
    assert record["ListOfficeKey"] == str(agent.office_id)
    assert record["StatusChangeTimestamp"] == "2026-03-01T09:00:00Z"
    assert record["InternetEntireListingDisplayYN"] is True


@pytest.mark.django_db
def test_export_listings_json_passes_the_dd_schema_check_with_zero_errors(tmp_path):
    # Given listings of every status and type, with and without agents, offices and values
    for status in Property.Status:
        for kind in Property.PropertyType:
            PropertyFactory(status=status, property_type=kind)
    SoldPropertyFactory(property_type=Property.PropertyType.INDUSTRIAL)
    PropertyFactory(
        listing_agent=None,
        latitude=None,
        bedrooms=None,
        bathrooms_full=None,
        bathrooms_half=None,
        internet_display=False,
        lot_size=Decimal("0.5"),
    )
    PropertyFactory(listing_agent=AgentFactory(office=None), bathrooms_full=3, bathrooms_half=2)
    path = tmp_path / "listings.json"

    # When they are exported as JSON
    run_command("export_listings", "--format", "json", "--output", str(path))
    records = json.loads(path.read_text(encoding="utf-8"))["value"]

    # Then every record conforms to DD 2.0's types, with zero errors
    assert len(records) == 27
    errors = [f"{r['ListingId']}: {e}" for r in records for e in record_errors("Property", r)]
    assert errors == []
    assert all(isinstance(r["ListPrice"], int | float) for r in records)
    assert {type(r["BathroomsTotalInteger"]) for r in records} == {int, type(None)}


@pytest.mark.django_db
def test_the_check_catches_what_the_issue_reported():
    # The 1,892 errors of issue 15, in kind: strings for numbers, 1.5 baths, Industrial.
    record = {
        "ListPrice": "450000.00",
        "BathroomsTotalInteger": 1.5,
        "PropertyType": "Industrial",
        "StandardStatus": "Sold",
        "ListingContractDate": "2026-13-01",
        "Shoe": 1,
    }
    assert record_errors("Property", record) == [
        "ListPrice: '450000.00' is not a DD Number (number)",
        "BathroomsTotalInteger: 1.5 is not a DD Number (integer)",
        "PropertyType: 'Industrial' is not a value of the DD lookup PropertyType",
        "StandardStatus: 'Sold' is not a value of the DD lookup StandardStatus",
        "ListingContractDate: '2026-13-01' is not a DD Date (date)",
        "Shoe: not a DD 2.0 Property field",
    ]


@pytest.mark.django_db
def test_open_house_office_and_member_records_conform_too():
    agent = AgentFactory()
    open_house = OpenHouseFactory(
        property__listing_agent=agent,
        property__state="CO",
        date=datetime.date(2026, 12, 13),
        start_time=datetime.time(13),
        end_time=datetime.time(15),
        type=OpenHouse.Type.BROKER,
    )
    records = {
        "OpenHouse": {f.name: f.value(open_house) for f in OPEN_HOUSE_FIELDS},
        "Office": {f.name: f.value(agent.office) for f in OFFICE_FIELDS},
        "Member": {f.name: f.value(agent) for f in MEMBER_FIELDS},
    }

    for resource, record in records.items():
        assert record_errors(resource, record) == [], resource
    # 1 pm in Denver in December is 20:00 UTC (Mountain Standard Time, UTC-7)
    assert records["OpenHouse"]["OpenHouseStartTime"] == "2026-12-13T20:00:00Z"
    assert records["OpenHouse"]["OpenHouseType"] == "Broker"
    assert records["Member"]["OfficeName"] == agent.office.name


def test_the_documented_field_table_is_the_mapping():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "reso-data.md").read_text()
    rows = [line for line in doc.splitlines() if line.startswith("| `")]
    documented = [row.split("`")[1] for row in rows[: len(PROPERTY_FIELDS)]]
    assert documented == [field.name for field in PROPERTY_FIELDS]
