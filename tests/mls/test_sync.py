"""The sync engine against a fake RESO source over HTTP: replication, deletions, faults."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from mls.factories import MlsSourceFactory
from mls.models import MlsSource, SyncRun
from mls.sync import sync_run_execute
from properties.factories import PropertyFactory
from properties.models import ListingChange, PriceChange, Property
from tests.mls.fake_source import BASE, FakeSource, record
from tests.properties.command_helpers import reso_row

pytestmark = pytest.mark.django_db(transaction=True)


def _run(source, *, full=False, **kwargs) -> SyncRun:
    run = SyncRun.objects.create(source=source, trigger=SyncRun.Trigger.COMMAND, full=full)
    return sync_run_execute(run_id=run.pk, **kwargs)


def _source(fake, **fields):
    return MlsSourceFactory(url=fake.url, page_size=3, **fields)


def test_first_run_creates_every_listing_and_sets_the_high_water_mark(fake_source):
    source = _source(fake_source)

    run = _run(source)

    assert (run.status, run.counts, run.errors) == (
        "succeeded",
        {"created": 7, "updated": 0, "unchanged": 0, "deleted": 0, "failed": 0},
        [],
    )
    listings = Property.objects.filter(mls_source=source).order_by("source_key")
    assert [(p.source_key, p.mls_number, p.price) for p in listings] == [
        (str(n), f"SRC{n}", Decimal("300000.00")) for n in range(1, 8)
    ]
    source.refresh_from_db()
    assert source.high_water_mark == BASE + datetime.timedelta(minutes=7)
    # Three pages of three, nextLink followed.
    assert sum("/odata/Property?" in r for r in fake_source.requests) == 3


def test_an_incremental_run_reads_only_changes_and_records_price_history(fake_source):
    source = _source(fake_source)
    _run(source)
    fake_source.put(record(2, price=250000, minute=20))
    fake_source.put(record(9, minute=21))
    fake_source.requests.clear()

    run = _run(source)

    assert run.counts == {"created": 1, "updated": 1, "unchanged": 0, "deleted": 0, "failed": 0}
    assert "ModificationTimestamp+gt+2026-01-01T00%3A07%3A00Z" in fake_source.requests[1]
    listing = Property.objects.get(mls_source=source, source_key="2")
    assert listing.price == Decimal("250000.00")
    assert list(
        PriceChange.objects.filter(property=listing).values_list("old_price", "new_price")
    ) == [(Decimal("300000.00"), Decimal("250000.00"))]


def test_changes_a_run_writes_are_attributed_to_the_source_in_the_listing_history(fake_source):
    source = _source(fake_source)
    _run(source)
    fake_source.put(record(2, price=250000, minute=20))

    _run(source)

    listing = Property.objects.get(mls_source=source, source_key="2")
    changes = ListingChange.objects.filter(property=listing)
    assert {c.context for c in changes} == {f"sync: {source.name}"}
    assert [c.changes["price"] for c in changes if "price" in c.changes] != []


def test_deleted_records_are_withdrawn_from_the_entity_event_feed(fake_source):
    source = _source(fake_source)
    _run(source)
    fake_source.delete("3")

    run = _run(source)

    assert run.counts["deleted"] == 1
    statuses = dict(Property.objects.filter(mls_source=source).values_list("source_key", "status"))
    assert statuses["3"] == "withdrawn"
    assert {k for k, v in statuses.items() if v == "active"} == {"1", "2", "4", "5", "6", "7"}
    assert not Property.objects.visible_to(AnonymousUser()).filter(source_key="3").exists()


def test_without_an_entity_event_feed_a_full_run_reconciles_keys():
    with FakeSource([record(n) for n in range(1, 5)]) as fake:
        source = _source(fake)
        _run(source)
        fake.records.pop("4")

        assert _run(source).counts["deleted"] == 0  # incremental: nothing to learn deletions from
        run = _run(source, full=True)

    assert run.counts == {"created": 0, "updated": 0, "unchanged": 3, "deleted": 1, "failed": 0}
    assert Property.objects.get(source_key="4").status == "withdrawn"


def test_without_an_entity_event_feed_a_scheduled_run_reconciles_keys_when_due(settings):
    settings.MLS_SYNC_RECONCILE_HOURS = 24
    with FakeSource([record(n) for n in range(1, 5)]) as fake:
        source = _source(fake)
        _run(source)
        fake.records.pop("4")
        assert _run(source).counts["deleted"] == 0  # reconciled less than 24 hours ago
        # A day later, an ordinary incremental run (what the schedule starts) compares keys.
        source.refresh_from_db()
        day_ago = source.keys_reconciled_at - datetime.timedelta(hours=24)
        MlsSource.objects.filter(pk=source.pk).update(keys_reconciled_at=day_ago)

        run = _run(source)

    assert (run.full, run.status, run.counts["deleted"]) == (False, "succeeded", 1)
    assert Property.objects.get(source_key="4").status == "withdrawn"
    assert not Property.objects.visible_to(AnonymousUser()).filter(source_key="4").exists()
    source.refresh_from_db()
    assert source.keys_reconciled_at > day_ago


def test_two_sources_with_the_same_listing_keys_never_collide(fake_source):
    with FakeSource([record(n, ListingId=f"OTHER{n}") for n in range(1, 4)]) as other:
        first, second = _source(fake_source), _source(other)
        _run(first)
        _run(second)

    assert Property.objects.filter(mls_source=first).count() == 7
    numbers = Property.objects.filter(mls_source=second).values_list("mls_number", flat=True)
    assert sorted(numbers) == ["OTHER1", "OTHER2", "OTHER3"]


def test_two_sources_serving_one_listing_id_each_keep_their_own_and_a_local_listing_is_untouched(
    fake_source, tmp_path
):
    local = PropertyFactory(mls_number="SRC1", price=Decimal("1.00"))
    with FakeSource([record(n, price=500000) for n in range(1, 4)]) as other:
        first, second = _source(fake_source), _source(other)
        assert _run(first).counts["created"] == 7
        assert _run(second).counts == {
            "created": 3, "updated": 0, "unchanged": 0, "deleted": 0, "failed": 0
        }  # fmt: skip
        other.put(record(1, price=450000, minute=30))
        assert _run(second).counts["updated"] == 1

    rows = Property.objects.filter(mls_number="SRC1").values_list("mls_source", "price")
    assert sorted(rows, key=lambda r: r[0] or 0) == [
        (None, Decimal("1.00")),
        (first.pk, Decimal("300000.00")),
        (second.pk, Decimal("450000.00")),
    ]
    # A local import matches local listings only.
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([reso_row("SRC1", ListPrice="2")]))
    call_command("import_listings", str(feed), stdout=io.StringIO())
    local.refresh_from_db()
    assert (local.mls_source_id, local.price) == (None, Decimal("2.00"))
    assert Property.objects.get(mls_source=first, mls_number="SRC1").price == Decimal("300000.00")


def test_a_listing_id_another_key_of_the_source_holds_is_reported_by_key_and_skipped():
    records = [record(1, ListingId="DUP"), record(2, ListingId="DUP"), record(5, ListingId="DUP")]
    with FakeSource([*records, record(3)]) as fake:
        run = _run(_source(fake))  # pages of three: 1, 2, 3 then 5

    assert (run.status, run.counts["created"], run.counts["failed"]) == ("succeeded", 2, 2)
    assert [error["key"] for error in run.errors] == ["2", "5"]
    assert "ListingId DUP already appeared on row 1" in run.errors[0]["message"]
    assert run.errors[1]["message"].startswith("ListingId DUP belongs to listing ")
    assert Property.objects.get(mls_number="DUP").source_key == "1"


def test_a_listing_id_the_page_before_took_is_reported_while_pages_are_written_behind():
    # Given a ListingId on page 2 that page 1 gives to another key (page 1 may still
    # be being written, on PostgreSQL, while page 2 is validated)
    records = [record(n) for n in range(1, 7)]
    records[4]["ListingId"] = "SRC2"
    with FakeSource(records) as fake:
        run = _run(_source(fake))

    # Then the row is reported by its key and the run goes on
    assert (run.status, run.counts["created"], run.counts["failed"]) == ("succeeded", 5, 1)
    holder = Property.objects.get(mls_number="SRC2")
    assert holder.source_key == "2"
    assert run.errors == [
        {"key": "5", "message": f"ListingId SRC2 belongs to listing {holder.pk}; row skipped."}
    ]


def test_errors_of_every_page_are_kept_in_the_run():
    with FakeSource([record(n, ListPrice=-n if n in (2, 5) else 1000) for n in range(1, 7)]) as f:
        run = _run(_source(f))

    assert run.counts["failed"] == 2
    assert [error["key"] for error in run.errors] == ["2", "5"]
    run.refresh_from_db()
    assert [error["key"] for error in run.errors] == ["2", "5"]


def test_a_bad_record_is_reported_by_key_and_the_others_are_imported():
    with FakeSource([record(1, ListPrice=-5), record(2)]) as fake:
        run = _run(_source(fake))

    assert (run.status, run.counts["created"], run.counts["failed"]) == ("succeeded", 1, 1)
    assert run.errors[0]["key"] == "1" and run.errors[0]["message"].startswith("ListPrice:")


@pytest.mark.parametrize("fault", [500, 503, "garbage", "stall"])
def test_transient_faults_are_retried(fault, fake_source):
    source = _source(fake_source)
    fake_source.faults = [fault]

    run = _run(source)

    assert (run.status, run.counts["created"]) == ("succeeded", 7)


def test_a_source_that_stays_down_fails_the_run_with_the_reason_and_the_next_run_recovers(
    fake_source,
):
    source = _source(fake_source)
    fake_source.faults = [503] * 10

    failed = _run(source)

    assert failed.status == "failed"
    assert failed.message == (
        f"{fake_source.url}EntityEvent?%24orderby=EntityEventSequence+desc&%24top=1 "
        "answered HTTP 503 (3 attempts)."
    )
    assert failed.finished_at is not None
    assert not Property.objects.filter(mls_source=source).exists()

    fake_source.faults = []
    assert _run(source).counts["created"] == 7


def test_a_run_killed_between_pages_resumes_from_the_mark_without_loss_or_double_apply(
    fake_source,
):
    # Given records sharing a timestamp across a page boundary
    for key in (4, 5):
        fake_source.put(record(key, minute=3))
    source = _source(fake_source)

    class Killed(BaseException):
        pass

    def kill_after_first_page(run):
        raise Killed

    # When the worker dies after the first page committed
    with pytest.raises(Killed):
        _run(source, on_page=kill_after_first_page)
    source.refresh_from_db()
    # The first page (1, 2, 3 @ minutes 1, 2, 3) ends inside the minute-3 group (3, 4, 5).
    assert source.high_water_mark == BASE + datetime.timedelta(minutes=2)
    assert Property.objects.filter(mls_source=source).count() == 3

    # Then the next run reads from the mark: minute-3 records again, the rest once
    resumed = _run(source)
    assert resumed.counts == {"created": 4, "updated": 0, "unchanged": 1, "deleted": 0, "failed": 0}
    assert Property.objects.filter(mls_source=source).count() == 7
    assert PriceChange.objects.count() == 0


def test_oauth2_token_is_fetched_once_and_sent_as_bearer():
    with FakeSource([record(n) for n in range(1, 8)], secret="s3cret-value") as fake:
        source = _source(
            fake, token_url=fake.token_url, client_id="hearth", client_secret="s3cret-value"
        )
        run = _run(source)
        _run(source)

    assert run.counts["created"] == 7
    assert fake.tokens_issued == 1


def test_refused_client_credentials_fail_the_run_without_the_secret():
    with FakeSource([record(1)], secret="right") as fake:
        source = _source(
            fake, token_url=fake.token_url, client_id="hearth", client_secret="wrong-secret"
        )
        run = _run(source)

    assert run.status == "failed"
    assert run.message == (
        "The token URL refused the client credentials (HTTP 401, invalid_client)."
    )
    assert "wrong-secret" not in run.message


def test_a_finished_run_delivered_again_does_nothing(fake_source):
    source = _source(fake_source)
    run = _run(source)
    fake_source.requests.clear()

    again = sync_run_execute(run_id=run.pk)

    assert (again.status, fake_source.requests) == ("succeeded", [])
