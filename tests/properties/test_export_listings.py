import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from properties.factories import PropertyFactory, SoldPropertyFactory
from properties.models import Property
from properties.reso import RESO_FIELDS, csv_safe, csv_unquote
from tests.properties.command_helpers import run_command

pytestmark = pytest.mark.django_db

# Everything a listing is, except what the database assigns.
COMPARED_FIELDS = [
    field.attname
    for field in Property._meta.concrete_fields
    if field.name not in {"id", "created_at", "updated_at"}
]


def snapshot():
    return {row["mls_number"]: row for row in Property.objects.values(*COMPARED_FIELDS)}


@pytest.fixture
def listings():
    """Listings that exercise the awkward cases: formulas, blanks, nulls, sales, no agent."""
    return [
        PropertyFactory(
            mls_number="E1",
            description='=HYPERLINK("http://evil.example")\nSecond line, with a comma.',
            unit="+4B",
        ),
        PropertyFactory(mls_number="E2", latitude=None, longitude=None, listing_agent=None),
        SoldPropertyFactory(mls_number="E3", property_type=Property.PropertyType.LAND),
        PropertyFactory(mls_number="E4", description="'@already quoted", year_built=None),
    ]


def test_csv_export_has_the_reso_header_and_neutralises_formulas(listings, tmp_path):
    path = tmp_path / "listings.csv"

    run = run_command("export_listings", "--output", str(path))

    assert run.stdout == f"exported 4 listings to {path}\n"
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    assert list(rows[0]) == list(RESO_FIELDS)
    assert [row["ListingId"] for row in rows] == ["E1", "E2", "E3", "E4"]
    assert (
        rows[0]["PublicRemarks"]
        == '\'=HYPERLINK("http://evil.example")\nSecond line, with a comma.'
    )
    assert rows[0]["UnitNumber"] == "'+4B"
    assert rows[3]["PublicRemarks"] == "''@already quoted"
    assert rows[2]["StandardStatus"] == "Closed"
    assert Decimal(rows[2]["ClosePrice"]) == listings[2].sold_price
    assert rows[1]["Latitude"] == ""
    assert rows[1]["ListAgentEmail"] == ""
    assert rows[0]["ListAgentEmail"] == listings[0].listing_agent.email
    assert not path.with_name("listings.csv.partial").exists()


def test_json_export_is_a_reso_envelope(listings, tmp_path):
    path = tmp_path / "listings.json"

    run_command("export_listings", "--output", str(path))

    document = json.loads(path.read_text(encoding="utf-8"))
    assert list(document) == ["value"]
    assert [record["ListingId"] for record in document["value"]] == ["E1", "E2", "E3", "E4"]
    assert document["value"][0]["PublicRemarks"].startswith("=HYPERLINK")
    assert document["value"][1]["Latitude"] is None
    # Numbers are JSON numbers (RESO DD 2.0), not strings.
    assert isinstance(document["value"][2]["ClosePrice"], int | float)
    assert Decimal(str(document["value"][2]["ClosePrice"])) == listings[2].sold_price


def test_export_to_stdout(listings):
    run = run_command("export_listings", "--format", "json")

    assert [r["ListingId"] for r in json.loads(run.stdout)["value"]] == ["E1", "E2", "E3", "E4"]
    assert run.stderr == "exported 4 listings\n"


def test_an_unwritable_output_is_a_clear_error(listings, tmp_path):
    with pytest.raises(CommandError, match=r"^Cannot write .*/missing/listings.csv"):
        call_command("export_listings", "--output", str(tmp_path / "missing" / "listings.csv"))


@pytest.mark.parametrize("extension", ["csv", "json"])
def test_export_then_import_into_the_same_database_changes_nothing(listings, tmp_path, extension):
    path = tmp_path / f"listings.{extension}"
    run_command("export_listings", "--output", str(path))
    before = dict(Property.objects.values_list("mls_number", "updated_at"))

    run = run_command("import_listings", str(path))

    assert run.code == 0
    assert run.last_line == "created 0, updated 0, unchanged 4, failed 0"
    assert dict(Property.objects.values_list("mls_number", "updated_at")) == before


@pytest.mark.parametrize("extension", ["csv", "json"])
def test_export_then_import_into_an_empty_database_recreates_the_listings(
    listings, tmp_path, extension
):
    path = tmp_path / f"listings.{extension}"
    run_command("export_listings", "--output", str(path))
    expected = snapshot()
    Property.objects.all().delete()

    run = run_command("import_listings", str(path))

    assert run.last_line == "created 4, updated 0, unchanged 0, failed 0"
    assert snapshot() == expected
    assert expected["E3"]["sold_price"] == listings[2].sold_price
    assert isinstance(expected["E3"]["sold_price"], Decimal)


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+x", "-x", "@x", "\tx", "'=x", "''+x", "'plain", "plain", "-97.7431", "", "'"],
)
def test_csv_unquote_undoes_csv_safe_exactly(value):
    assert csv_unquote(csv_safe(value)) == value


def test_csv_unquote_leaves_an_ordinary_leading_apostrophe_alone():
    assert csv_unquote("'Tis a lovely home") == "'Tis a lovely home"


def test_csv_export_is_readable_by_the_csv_module_from_a_stream(listings):
    run = run_command("export_listings")

    rows = list(csv.reader(io.StringIO(run.stdout, newline="")))
    assert len(rows) == 5
