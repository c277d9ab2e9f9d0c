"""Admin imports' service: the file is checked, stored, run by import_listings' own rules."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError
from django.utils import timezone

from imports import services
from imports.factories import ImportRunFactory
from imports.models import ImportRun
from imports.services import import_run_create, import_run_execute, import_runs_requeue
from jobs.locks import job_lock_acquire
from properties.factories import PropertyFactory
from properties.feeds import FeedError
from properties.models import ListingChange, PriceChange, Property
from tests.imports.feeds import csv_bytes, json_bytes, mixed_feed
from tests.properties.command_helpers import reso_row
from users.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def olive():
    return StaffFactory(username="ops", first_name="Olive", last_name="Ops")


@pytest.fixture
def enqueued(monkeypatch):
    """The jobs sent, instead of sending them."""
    sent = []
    monkeypatch.setattr(
        services, "job_enqueue", lambda *, task, kwargs: sent.append((task, kwargs)) or True
    )
    return sent


def run_file(content, *, name="feed.csv", user=None) -> ImportRun:
    run = import_run_create(content=content, file_name=name, user=user)
    import_run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


class TestCreate:
    def test_the_file_is_stored_and_its_job_queued(self, olive, enqueued):
        content = mixed_feed()

        run = import_run_create(content=content, file_name="may.csv", user=olive)

        assert (run.status, run.file_name, run.uploaded_by, run.size) == (
            "queued",
            "may.csv",
            olive,
            len(content),
        )
        assert bytes(ImportRun.objects.get().content) == content
        assert enqueued == [("imports.tasks.import_run_execute", {"run_id": run.pk})]

    @pytest.mark.parametrize(
        ("content", "name", "message"),
        [
            (b"", "empty.csv", "The CSV file is empty"),
            ("ListingId\nK1\n".encode("utf-16"), "utf16.csv", "The feed is not UTF-8 text"),
            (b"ListingId,City\nA1,Ca\xf1on\n", "latin1.csv", "invalid byte at offset 20"),
            (b'{"value": [', "cut.json", "The JSON is malformed at line 1"),
            (b'{"listings": []}', "wrong.json", "A JSON feed must be a list of listings"),
            (b"City,ListPrice\nAustin,1\n", "nokey.csv", "no ListingId column"),
        ],
    )
    def test_a_file_that_is_not_a_feed_is_refused_and_nothing_stored(
        self, olive, enqueued, content, name, message
    ):
        with pytest.raises(FeedError, match=message):
            import_run_create(content=content, file_name=name, user=olive)

        assert ImportRun.objects.count() == 0
        assert enqueued == []


class TestExecute:
    def test_good_rows_are_imported_and_bad_rows_reported_as_the_command_does(
        self, olive, enqueued
    ):
        run = run_file(mixed_feed(), user=olive)

        assert run.status == "succeeded"
        assert (run.created, run.updated, run.unchanged, run.failed) == (2, 0, 0, 2)
        assert run.summary == "created 2, updated 0, unchanged 0, failed 2"
        assert run.errors == [
            {"row": 3, "listing_id": "NO-CITY", "reason": "City: This field may not be blank."},
            {"row": 4, "listing_id": "CHEAP", "reason": "ListPrice: A valid number is required."},
        ]
        assert run.progress == 1.0
        assert run.started_at <= run.finished_at
        assert sorted(Property.objects.values_list("mls_number", flat=True)) == [
            "GOOD-1",
            "GOOD-2",
        ]

    def test_a_json_envelope_updates_and_the_summary_names_ignored_columns(self, enqueued):
        PropertyFactory(mls_number="K1", price="400000.00")
        records = [reso_row("K1", ListPrice="420000"), reso_row("K2", Foo="x")]

        run = run_file(json_bytes(records), name="feed.json")

        assert (run.created, run.updated, run.failed) == (1, 1, 0)
        assert run.summary == "created 1, updated 1, unchanged 0, failed 0; ignored columns: Foo"
        assert PriceChange.objects.filter(property__mls_number="K1").count() == 1

    def test_the_second_run_of_the_same_file_changes_nothing(self, enqueued):
        run_file(mixed_feed())
        before = list(Property.objects.order_by("id").values_list("id", "updated_at"))

        again = run_file(mixed_feed())

        assert again.summary == "created 0, updated 0, unchanged 2, failed 2"
        assert list(Property.objects.order_by("id").values_list("id", "updated_at")) == before

    def test_the_listing_history_names_the_import_its_file_and_who_uploaded(self, olive, enqueued):
        PropertyFactory(mls_number="K1", price="400000.00")

        run = run_file(csv_bytes([reso_row("K1", ListPrice="425000")]), name="june.csv", user=olive)

        change = ListingChange.objects.get(property__mls_number="K1")
        assert (
            change.context == f"admin import: Olive Ops (ops), file june.csv (import run {run.pk})"
        )
        assert [Decimal(str(value)) for value in change.changes["price"]] == [
            Decimal(400000),
            Decimal(425000),
        ]

    def test_a_run_delivered_twice_is_imported_once(self, enqueued):
        run = run_file(mixed_feed())
        finished_at = run.finished_at

        import_run_execute(run_id=run.pk)

        run.refresh_from_db()
        assert (run.finished_at, run.created) == (finished_at, 2)

    def test_a_run_another_worker_holds_is_left_to_it(self, enqueued):
        run = import_run_create(content=mixed_feed(), file_name="a.csv", user=None)
        job_lock_acquire(name=services.lock_name(run.pk))

        import_run_execute(run_id=run.pk)

        run.refresh_from_db()
        assert run.status == "queued"
        assert Property.objects.count() == 0

    def test_a_database_failure_fails_the_run_with_the_commands_advice(self, enqueued, monkeypatch):
        def broken(**kwargs):
            raise DatabaseError("disk full")

        monkeypatch.setattr(services, "listings_import", broken)

        run = run_file(mixed_feed())

        assert run.status == "failed"
        assert run.message == (
            "Writing to the database failed: disk full. Batches before the failing one were "
            "committed; importing the file again completes it."
        )
        assert run.finished_at is not None

    def test_progress_and_counts_are_saved_after_each_batch(self, enqueued, monkeypatch):
        seen = []
        real = services.listings_import

        def watched(**kwargs):
            on_batch = kwargs["on_batch"]

            def spy(result):
                on_batch(result)
                seen.append(ImportRun.objects.values_list("status", "created", "failed").get())

            return real(**{**kwargs, "on_batch": spy, "batch_size": 1})

        monkeypatch.setattr(services, "listings_import", watched)

        run_file(mixed_feed())

        assert seen[0] == ("running", 1, 0)
        assert seen[-1] == ("running", 2, 2)

    def test_row_errors_kept_are_bounded_but_the_count_is_exact(self, enqueued, monkeypatch):
        monkeypatch.setattr(ImportRun, "MAX_ERRORS", 1)

        run = run_file(mixed_feed())

        assert run.failed == 2
        assert [error["row"] for error in run.errors] == [3]


class TestRequeue:
    def test_stale_queued_and_orphaned_running_runs_are_sent_again(self, enqueued):
        stale = ImportRunFactory(status="queued")
        ImportRun.objects.filter(pk=stale.pk).update(
            queued_at=timezone.now() - timedelta(minutes=5)
        )
        ImportRunFactory(status="queued")  # just queued: its message is on its way
        orphaned = ImportRunFactory(status="running")
        held = ImportRunFactory(status="running")
        job_lock_acquire(name=services.lock_name(held.pk))
        ImportRunFactory(status="succeeded")

        resent = import_runs_requeue()

        assert sorted(resent) == sorted([stale.pk, orphaned.pk])
