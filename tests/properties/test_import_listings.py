import datetime
import http.server
import io
import json
import threading
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from properties import feeds, importing
from properties.models import PriceChange, Property
from tests.properties.command_helpers import reso_row, run_command, write_csv, write_json
from users.factories import AgentFactory, UserFactory
from users.models import User

pytestmark = pytest.mark.django_db


def listing_values(mls_number, *fields):
    return Property.objects.values_list(*fields).get(mls_number=mls_number)


def test_good_rows_are_imported_and_each_kind_of_bad_row_is_reported(tmp_path):
    # Given a feed with two good rows and one row for each kind of bad value
    rows = [
        reso_row("GOOD-1"),
        reso_row("MISSING", City=""),
        reso_row("NOT-A-NUMBER", ListPrice="cheap"),
        reso_row("NEGATIVE", ListPrice="-5"),
        reso_row("STATUS", StandardStatus="Sort of for sale"),
        reso_row("LATITUDE", Latitude="91"),
        reso_row("DATE", ListingContractDate="2026-02-30"),
        reso_row("LONG", City="x" * 101),
        reso_row("GOOD-2", StandardStatus="Closed", ClosePrice="440000", CloseDate="2026-04-01"),
    ]
    path = write_csv(tmp_path, rows, header=[*rows[0], "ClosePrice", "CloseDate"])

    # When it is imported
    run = run_command("import_listings", path)

    # Then the good rows are in, every bad row is named with its reason, and the exit is 1
    assert run.code == 1
    assert run.last_line == "created 2, updated 0, unchanged 0, failed 7"
    assert run.error_lines == [
        "row 3 (ListingId MISSING): City: This field may not be blank.",
        "row 4 (ListingId NOT-A-NUMBER): ListPrice: A valid number is required.",
        "row 5 (ListingId NEGATIVE): ListPrice: Ensure this value is greater than or equal "
        "to 0.01.",
        "row 6 (ListingId STATUS): StandardStatus: 'Sort of for sale' is not a listing status "
        "Hearth knows (use Active, Active Under Contract, Pending, Closed, Coming Soon, "
        "Expired, Withdrawn, Canceled, Hold).",
        "row 7 (ListingId LATITUDE): Latitude: Ensure this value is less than or equal to 90.",
        "row 8 (ListingId DATE): ListingContractDate: Date has wrong format. Use one of these "
        "formats instead: YYYY-MM-DD.",
        "row 9 (ListingId LONG): City: Ensure this field has no more than 100 characters.",
    ]
    assert sorted(Property.objects.values_list("mls_number", flat=True)) == ["GOOD-1", "GOOD-2"]
    assert listing_values("GOOD-2", "status", "sold_price", "sold_at") == (
        "sold",
        Decimal("440000.00"),
        datetime.date(2026, 4, 1),
    )


def test_a_row_missing_a_required_column_value_and_the_key_are_reported(tmp_path):
    rows = [
        {"ListingId": "K1", "ListPrice": "1"},
        {"ListingId": "", "ListPrice": "1"},
    ]
    run = run_command("import_listings", write_csv(tmp_path, rows))

    assert run.code == 1
    assert run.error_lines == [
        "row 2 (ListingId K1): PropertyType: This field is required. UnparsedAddress: This "
        "field is required. City: This field is required. StateOrProvince: This field is "
        "required. PostalCode: This field is required.",
        "row 3 (ListingId -): ListingId: This field is required; imports match listings on it.",
    ]
    assert Property.objects.count() == 0


def test_a_sale_date_on_an_active_listing_is_refused_as_the_api_refuses_it(tmp_path):
    rows = [reso_row("A1", CloseDate="2026-04-01")]
    run = run_command("import_listings", write_csv(tmp_path, rows))

    assert run.code == 1
    assert run.error_lines == [
        "row 2 (ListingId A1): CloseDate: Only a sold listing can have a sale date."
    ]
    assert Property.objects.count() == 0


def test_reso_and_hearth_enumeration_values_are_accepted_case_insensitively(tmp_path):
    rows = [
        reso_row("S1", StandardStatus="Active Under Contract", PropertyType="Commercial Sale"),
        reso_row("S2", StandardStatus="canceled", PropertyType="LAND"),
        reso_row("S3", StandardStatus="coming_soon", PropertyType="industrial"),
        reso_row("S4", StandardStatus="Expired", PropertyType="Residential Lease"),
    ]
    run = run_command("import_listings", write_csv(tmp_path, rows))

    assert run.last_line == "created 3, updated 0, unchanged 0, failed 1"
    assert run.error_lines == [
        "row 5 (ListingId S4): PropertyType: 'Residential Lease' is not a property type Hearth "
        "lists (use Residential, Residential Income, Manufactured In Park, Commercial Sale, "
        "Business Opportunity, Farm, Land)."
    ]
    assert list(Property.objects.order_by("mls_number").values_list("status", "property_type")) == [
        ("pending", "commercial"),
        ("withdrawn", "land"),
        ("coming_soon", "industrial"),
    ]


def test_csv_with_bom_and_embedded_newlines(tmp_path):
    rows = [reso_row("B1", PublicRemarks="First line,\nsecond line.")]
    run = run_command("import_listings", write_csv(tmp_path, rows, bom=True))

    assert run.code == 0
    assert run.last_line == "created 1, updated 0, unchanged 0, failed 0"
    assert listing_values("B1", "description") == ("First line,\nsecond line.",)


def test_street_number_and_name_make_the_address(tmp_path):
    row = reso_row("N1", StreetNumber="742", StreetName="Evergreen Terrace")
    del row["UnparsedAddress"]
    run_command("import_listings", write_csv(tmp_path, [row]))

    assert listing_values("N1", "street_address") == ("742 Evergreen Terrace",)


def test_a_row_with_the_wrong_number_of_cells_is_reported(tmp_path):
    path = tmp_path / "feed.csv"
    path.write_text("ListingId,ListPrice\nW1,1,extra\n", encoding="utf-8")
    run = run_command("import_listings", str(path))

    assert run.code == 1
    assert run.error_lines == [
        "row 2 (ListingId -): the row has 3 cells but the header names 2 columns."
    ]


def test_json_list_and_reso_envelope(tmp_path):
    envelope = write_json(tmp_path, {"value": [reso_row("J1", ListPrice=250000)]})
    plain = write_json(tmp_path, [reso_row("J2", Latitude=None)], name="plain.json")

    assert run_command("import_listings", envelope).last_line == (
        "created 1, updated 0, unchanged 0, failed 0"
    )
    assert run_command("import_listings", plain).last_line == (
        "created 1, updated 0, unchanged 0, failed 0"
    )
    assert listing_values("J1", "price") == (Decimal("250000.00"),)
    assert listing_values("J2", "latitude") == (None,)


def test_json_numbers_in_text_fields_are_taken_as_text(tmp_path):
    path = write_json(tmp_path, [reso_row(12345, PostalCode=78701)])

    assert run_command("import_listings", path).last_line == (
        "created 1, updated 0, unchanged 0, failed 0"
    )
    assert listing_values("12345", "postal_code") == ("78701",)


def test_json_records_that_are_not_objects_are_row_errors(tmp_path):
    path = write_json(tmp_path, [reso_row("J1"), ["not", "a", "record"]])
    run = run_command("import_listings", path)

    assert run.code == 1
    assert run.error_lines == [
        "row 2 (ListingId -): expected an object of RESO fields, got a JSON list."
    ]
    assert Property.objects.count() == 1


def test_malformed_json_is_a_clear_error_and_imports_nothing(tmp_path):
    path = write_json(tmp_path, '{"value": [{"ListingId": "J1",}]}')

    with pytest.raises(CommandError) as error:
        call_command("import_listings", path)

    assert str(error.value) == (
        "The JSON is malformed at line 1, column 31: Expecting property name enclosed in "
        "double quotes."
    )
    assert Property.objects.count() == 0


def test_a_json_document_that_is_not_a_feed_is_refused(tmp_path):
    with pytest.raises(CommandError, match=r"list of listings or a RESO envelope"):
        call_command("import_listings", write_json(tmp_path, {"records": []}))


def test_a_missing_file_is_a_clear_error():
    with pytest.raises(CommandError, match=r"^No such file: /nonexistent/feed.csv$"):
        call_command("import_listings", "/nonexistent/feed.csv")


def test_a_csv_without_a_listing_id_column_is_refused(tmp_path):
    with pytest.raises(CommandError, match=r"no ListingId column"):
        call_command("import_listings", write_csv(tmp_path, [{"ListPrice": "1"}]))


def test_duplicate_listing_ids_in_one_file_import_the_first_and_report_the_rest(tmp_path):
    rows = [reso_row("D1", ListPrice="100"), reso_row("D2"), reso_row("D1", ListPrice="200")]
    run = run_command("import_listings", write_csv(tmp_path, rows))

    assert run.code == 1
    assert run.last_line == "created 2, updated 0, unchanged 0, failed 1"
    assert run.error_lines == [
        "row 4 (ListingId D1): ListingId D1 already appeared on row 2; row skipped."
    ]
    assert listing_values("D1", "price") == (Decimal("100.00"),)


def test_duplicates_across_batches_are_caught_too(tmp_path):
    rows = [reso_row("D1"), reso_row("D2"), reso_row("D1")]
    run = run_command("import_listings", write_csv(tmp_path, rows), "--batch-size", "1")

    assert run.last_line == "created 2, updated 0, unchanged 0, failed 1"


def test_a_second_run_of_the_same_file_changes_nothing(tmp_path):
    # Given an imported feed
    path = write_csv(tmp_path, [reso_row("R1"), reso_row("R2")])
    run_command("import_listings", path)
    before = dict(Property.objects.values_list("mls_number", "updated_at"))

    # When it is imported again
    run = run_command("import_listings", path)

    # Then every row is unchanged and nothing was written
    assert run.code == 0
    assert run.last_line == "created 0, updated 0, unchanged 2, failed 0"
    assert dict(Property.objects.values_list("mls_number", "updated_at")) == before
    assert PriceChange.objects.count() == 0


def test_a_changed_price_updates_the_listing_and_records_a_price_change(tmp_path):
    # Given two imported listings
    run_command("import_listings", write_csv(tmp_path, [reso_row("P1"), reso_row("P2")]))
    before = dict(Property.objects.values_list("mls_number", "updated_at"))

    # When the feed comes again with a lower price for one of them
    rows = [reso_row("P1", ListPrice="425000"), reso_row("P2")]
    run = run_command("import_listings", write_csv(tmp_path, rows, name="again.csv"))

    # Then that listing is updated and its price history records the change
    assert run.last_line == "created 0, updated 1, unchanged 1, failed 0"
    p1 = Property.objects.get(mls_number="P1")
    assert p1.price == Decimal("425000.00")
    assert p1.updated_at > before["P1"]
    assert listing_values("P2", "updated_at") == (before["P2"],)
    assert list(
        PriceChange.objects.values_list("property__mls_number", "old_price", "new_price")
    ) == [("P1", Decimal("450000.00"), Decimal("425000.00"))]


def test_a_column_the_feed_does_not_have_is_left_as_it_is(tmp_path):
    run_command("import_listings", write_csv(tmp_path, [reso_row("C1")]))
    row = reso_row("C1", ListPrice="460000")
    del row["Latitude"], row["PublicRemarks"]

    run = run_command("import_listings", write_csv(tmp_path, [row], name="partial.csv"))

    assert run.last_line == "created 0, updated 1, unchanged 0, failed 0"
    assert listing_values("C1", "price", "latitude", "description") == (
        Decimal("460000.00"),
        30.2672,
        "Bright corner lot.",
    )


def test_dry_run_reports_the_same_numbers_and_writes_nothing(tmp_path):
    run_command("import_listings", write_csv(tmp_path, [reso_row("Y1")]))
    before = list(Property.objects.values_list("mls_number", "price", "updated_at"))
    rows = [reso_row("Y1", ListPrice="1"), reso_row("Y2"), reso_row("Y3", ListPrice="x")]

    run = run_command("import_listings", write_csv(tmp_path, rows, name="dry.csv"), "--dry-run")

    assert run.code == 1
    assert run.stdout.splitlines() == [
        "Dry run: nothing was written.",
        "created 1, updated 1, unchanged 0, failed 1",
    ]
    assert list(Property.objects.values_list("mls_number", "price", "updated_at")) == before
    assert PriceChange.objects.count() == 0


def test_listing_agent_is_linked_by_email_with_one_query_per_batch(tmp_path):
    agent = AgentFactory(email="Dana@Example.com")
    client = UserFactory(email="client@example.com")
    AgentFactory(email="gone@example.com", is_active=False)
    rows = [
        reso_row("G1", ListAgentEmail="dana@example.COM"),
        reso_row("G2", ListAgentEmail=client.email),  # not an agent: the API refuses that too
        reso_row("G3", ListAgentEmail="nobody@example.com"),
        reso_row("G4", ListAgentEmail=""),
        reso_row("G5", ListAgentEmail="gone@example.com"),  # deactivated: the same rule
    ]
    path = write_csv(tmp_path, rows)

    with CaptureQueriesContext(connection) as queries:
        run = run_command("import_listings", path)

    assert run.last_line == "created 5, updated 0, unchanged 0, failed 0"
    assert len([q for q in queries if '"users_user"' in q["sql"]]) == 1
    assert dict(Property.objects.values_list("mls_number", "listing_agent")) == {
        "G1": agent.pk,
        "G2": None,
        "G3": None,
        "G4": None,
        "G5": None,
    }


def test_a_listing_keeps_its_agent_after_the_agent_became_a_client(tmp_path):
    agent = AgentFactory(email="former@example.com")
    run_command(
        "import_listings", write_csv(tmp_path, [reso_row("K1", ListAgentEmail=agent.email)])
    )
    User.objects.filter(pk=agent.pk).update(role=User.Role.CLIENT)

    run = run_command(
        "import_listings",
        write_csv(tmp_path, [reso_row("K1", ListAgentEmail=agent.email)], name="b.csv"),
    )

    assert run.last_line == "created 0, updated 0, unchanged 1, failed 0"
    assert listing_values("K1", "listing_agent") == (agent.pk,)


def test_batches_cost_the_same_queries_whatever_their_size(tmp_path):
    # Batches of 30 fit in one INSERT even under SQLite's limit of 999 parameters a query.
    one_batch = write_csv(tmp_path, [reso_row(f"Q{n}") for n in range(30)], name="one.csv")
    three_batches = write_csv(tmp_path, [reso_row(f"R{n}") for n in range(90)], name="three.csv")

    with CaptureQueriesContext(connection) as first:
        run_command("import_listings", one_batch, "--batch-size", "30")
    with CaptureQueriesContext(connection) as second:
        run = run_command("import_listings", three_batches, "--batch-size", "30")

    assert run.last_line == "created 90, updated 0, unchanged 0, failed 0"
    assert len(second) == 3 * len(first)
    # 7, plus declaring the batch's change-history context (history.change_context):
    # inside the test's transaction it reads, sets and restores it (3); alone, 1 or 2.
    assert len(first) <= 10


class _FeedHandler(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        if self.path == "/missing":
            self.send_error(404)
            return
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/feed.csv")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def feed_server(tmp_path):
    path = write_csv(tmp_path, [reso_row("U1"), reso_row("U2")])
    handler = type("Handler", (_FeedHandler,), {"body": open(path, "rb").read()})  # noqa: SIM115
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_url_import_from_a_local_server_with_allow_private(feed_server):
    run = run_command("import_listings", f"{feed_server}/redirect", "--allow-private")

    assert run.code == 0
    assert run.last_line == "created 2, updated 0, unchanged 0, failed 0"
    assert sorted(Property.objects.values_list("mls_number", flat=True)) == ["U1", "U2"]


def test_a_url_on_a_loopback_address_is_refused_without_allow_private(feed_server):
    with pytest.raises(CommandError) as error:
        call_command("import_listings", f"{feed_server}/feed.csv")

    assert str(error.value) == (
        "127.0.0.1 resolves to 127.0.0.1, a private, loopback or link-local address; imports "
        "refuse those unless --allow-private is given."
    )
    assert Property.objects.count() == 0


def test_a_url_answering_an_error_status_is_reported(feed_server):
    with pytest.raises(CommandError) as error:
        call_command("import_listings", f"{feed_server}/missing", "--allow-private")

    assert str(error.value) == f"{feed_server}/missing answered HTTP 404 Not Found."


def test_repeated_values_get_the_same_verdict_every_time(tmp_path):
    # Validation answers are remembered per value; True must not pass for 1, nor 1 for "1".
    rows = [
        reso_row("M1", ListPrice="bad", BedroomsTotal=1),
        reso_row("M2", ListPrice="bad", BedroomsTotal=True),
        reso_row("M3", BedroomsTotal=1),
        reso_row("M4", BedroomsTotal="1"),
    ]
    run = run_command("import_listings", write_json(tmp_path, rows))

    assert run.error_lines == [
        "row 1 (ListingId M1): ListPrice: A valid number is required.",
        "row 2 (ListingId M2): ListPrice: A valid number is required. BedroomsTotal: A valid "
        "integer is required.",
    ]
    assert dict(Property.objects.values_list("mls_number", "bedrooms")) == {"M3": 1, "M4": 1}


def test_an_interrupted_import_leaves_whole_batches_and_a_rerun_completes_it(tmp_path, monkeypatch):
    # Given a feed of three batches whose second batch fails to write
    path = write_csv(tmp_path, [reso_row(f"I{n}") for n in range(6)])
    real_upsert = importing.listings_upsert
    calls = []

    def failing_upsert(listings, **kwargs):
        calls.append(len(listings))
        real_upsert(listings, **kwargs)
        if len(calls) == 2:
            raise DatabaseError("connection lost")

    monkeypatch.setattr(importing, "listings_upsert", failing_upsert)

    # When it is imported, it stops with a clear error and keeps only the first batch
    with pytest.raises(CommandError, match=r"^Writing to the database failed: connection lost"):
        call_command("import_listings", path, "--batch-size", "2", stdout=io.StringIO())
    assert sorted(Property.objects.values_list("mls_number", flat=True)) == ["I0", "I1"]

    # Then running it again completes the job
    monkeypatch.setattr(importing, "listings_upsert", real_upsert)
    run = run_command("import_listings", path, "--batch-size", "2")
    assert run.last_line == "created 4, updated 0, unchanged 2, failed 0"
    assert Property.objects.count() == 6


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_batches_are_written_behind_validation(tmp_path):
    # Without the test's wrapping transaction, PostgreSQL writes on a second connection.
    rows = [reso_row(f"T{n}", ListPrice=str(100_000 + n)) for n in range(5)]
    path = write_csv(tmp_path, rows)
    run_command("import_listings", path, "--batch-size", "2")
    rows[4]["ListPrice"] = "1"

    run = run_command(
        "import_listings", write_csv(tmp_path, rows, name="b.csv"), "--batch-size", "2"
    )

    assert run.last_line == "created 0, updated 1, unchanged 4, failed 0"
    assert list(PriceChange.objects.values_list("property__mls_number", "new_price")) == [
        ("T4", Decimal("1.00"))
    ]


@pytest.mark.django_db(transaction=True)
def test_batches_are_written_inline_when_no_second_connection_can_be_had(tmp_path, monkeypatch):
    # Given a database that lends no second connection (a pool that web requests
    # and other jobs have exhausted)
    from properties import bulk

    def refused():
        raise DatabaseError("couldn't get a connection after 3.00 sec")

    monkeypatch.setattr(bulk, "_connection_open", refused)
    rows = [reso_row(f"T{n}", ListPrice=str(100_000 + n)) for n in range(5)]

    # When a feed is imported in several batches
    run = run_command("import_listings", write_csv(tmp_path, rows), "--batch-size", "2")

    # Then every batch is written all the same, by the importing thread
    assert run.last_line == "created 5, updated 0, unchanged 0, failed 0"
    assert Property.objects.count() == 5


def test_a_url_larger_than_the_cap_is_refused(feed_server, monkeypatch):
    monkeypatch.setattr(feeds, "MAX_FEED_BYTES", 100)

    with pytest.raises(CommandError, match=r"/feed.csv is \d+ bytes, more than the 100 allowed"):
        call_command("import_listings", f"{feed_server}/feed.csv", "--allow-private")
    assert Property.objects.count() == 0


def test_a_redirect_to_a_private_address_is_refused(feed_server, monkeypatch):
    # The first hop is allowed (as if public); the redirect target is checked again.
    real_resolve = feeds._address_resolve
    checked = []

    def resolve(host, port, *, allow_private):
        checked.append(allow_private)
        return real_resolve(host, port, allow_private=len(checked) == 1)

    monkeypatch.setattr(feeds, "_address_resolve", resolve)

    with pytest.raises(CommandError, match=r"^127.0.0.1 resolves to 127.0.0.1, a private"):
        call_command("import_listings", f"{feed_server}/redirect")
    assert len(checked) == 2


def test_the_format_is_detected_from_the_content(tmp_path):
    path = tmp_path / "feed"
    path.write_text(json.dumps({"value": [reso_row("F1")]}), encoding="utf-8")

    run = run_command("import_listings", str(path))

    assert run.last_line == "created 1, updated 0, unchanged 0, failed 0"


def test_a_file_that_is_not_utf8_is_a_clear_error(tmp_path):
    path = tmp_path / "feed.csv"
    path.write_bytes("ListingId,City\nL1,Montréal\n".encode("latin-1"))

    with pytest.raises(CommandError, match=r"^The feed is not UTF-8 text"):
        call_command("import_listings", str(path))


def test_a_new_listing_takes_every_default_the_model_gives_for_fields_a_feed_leaves_out():
    # Given a record with only the fields a listing needs
    record = {
        "ListingId": "MINIMAL-1", "PropertyType": "Residential", "ListPrice": 200000,
        "UnparsedAddress": "1 Elm St", "City": "Austin", "StateOrProvince": "TX",
        "PostalCode": "78701",
    }  # fmt: skip

    # When it is imported
    result = importing.listings_import(records=[(1, record)])

    # Then every other column is what the model's defaults give a listing created directly
    assert (result.created, result.failures) == (1, [])
    imported = Property.objects.get(mls_number="MINIMAL-1")
    direct = Property.objects.create(
        mls_number="DIRECT-1", property_type="residential", price=Decimal("200000"),
        street_address="1 Elm St", city="Austin", state="TX", postal_code="78701",
    )  # fmt: skip
    direct.refresh_from_db()
    skip = {"id", "mls_number", "created_at", "updated_at", "status_changed_at",
            "price_changed_at", "original_list_price"}  # fmt: skip
    columns = [f.attname for f in Property._meta.concrete_fields if f.attname not in skip]
    assert {c: getattr(imported, c) for c in columns} == {c: getattr(direct, c) for c in columns}
    assert imported.listed_at == direct.listed_at is not None
