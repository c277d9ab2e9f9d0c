"""Runs on the embedded runner and the schedule; the sync_mls command; the admin's Sync now."""

import time
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from jobs.locks import job_lock_acquire, job_lock_release
from jobs.runner import EmbeddedRunner, runner_reset
from mls.factories import MlsSourceFactory, SyncRunFactory
from mls.models import MlsSource, SyncRun
from mls.services import sync_due, sync_run_request
from mls.sync import lock_name
from properties.models import Property
from tests.mls.fake_source import FakeSource, record

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_finished():
    # Stopping the runner waits for its jobs; polling the runs while they write
    # would meet the in-memory test database's table locks (shared cache: no busy
    # wait). A file database, as `make run` uses, waits instead.
    runner_reset()


def test_embedded_runner_syncs_several_sources(embedded):
    # In parallel on PostgreSQL; SQLite's single writer makes them take turns.
    with (
        FakeSource([record(n) for n in range(1, 5)]) as a,
        FakeSource([record(n, ListingId=f"B{n}") for n in range(1, 3)]) as b,
    ):
        # Both runs start at commit, not while the second source is being written.
        with transaction.atomic():
            for fake in (a, b):
                sync_run_request(source=MlsSourceFactory(url=fake.url), trigger=SyncRun.Trigger.API)
        _wait_finished()

    assert [(r.status, r.created) for r in SyncRun.objects.order_by("id")] == [
        ("succeeded", 4),
        ("succeeded", 2),
    ]
    assert Property.objects.count() == 6


def test_embedded_scheduler_fires_the_beat_schedule_and_a_due_source_syncs(settings):
    settings.CELERY_BROKER_URL = ""
    with FakeSource([record(1)]) as fake:
        source = MlsSourceFactory(url=fake.url, schedule_minutes=5)
        runner = EmbeddedRunner(
            workers=1, schedule={"tick": {"task": "mls.tasks.sync_due", "schedule": 0.2}}
        )
        runner.start_schedule()
        try:
            deadline = time.monotonic() + 20
            while not source.runs.filter(status="succeeded").exists():
                assert time.monotonic() < deadline, "the schedule never ran the source"
                time.sleep(0.1)
        finally:
            runner.stop()
    run = source.runs.get()
    assert (run.trigger, run.created) == ("schedule", 1)


def test_a_source_is_not_run_twice_at_once(embedded):
    with FakeSource([record(1)]) as fake:
        source = MlsSourceFactory(url=fake.url)
        owner = job_lock_acquire(name=lock_name(source.pk))
        run = SyncRunFactory(source=source, status=SyncRun.Status.QUEUED)
        from mls.sync import SourceBusy, sync_run_execute

        with pytest.raises(SourceBusy):
            sync_run_execute(run_id=run.pk)
        run.refresh_from_db()
        assert run.status == "queued"
        assert fake.requests == []
        job_lock_release(name=lock_name(source.pk), owner=owner)
        assert sync_run_execute(run_id=run.pk).status == "succeeded"


def test_sync_due_skips_sources_not_due_and_resends_orphaned_runs(embedded, monkeypatch):
    sent = []
    monkeypatch.setattr(
        "mls.services.job_enqueue", lambda task, kwargs: sent.append(kwargs) or True
    )
    recent = MlsSourceFactory(schedule_minutes=60)
    SyncRunFactory(source=recent)
    MlsSourceFactory(schedule_minutes=None)
    MlsSourceFactory(schedule_minutes=5, enabled=False)
    orphan = SyncRunFactory(status=SyncRun.Status.RUNNING)  # its worker died: no lease
    stale = SyncRunFactory(status=SyncRun.Status.QUEUED)
    SyncRun.objects.filter(pk=stale.pk).update(queued_at=timezone.now() - timedelta(minutes=5))
    fresh = SyncRunFactory(status=SyncRun.Status.QUEUED)

    resent = sync_due()

    assert sorted(resent) == sorted([orphan.pk, stale.pk])
    assert fresh.pk not in resent
    assert not recent.runs.filter(trigger="schedule").exists()


def test_sync_mls_command_prints_the_summary_line(capsys):
    with FakeSource([record(1), record(2, ListPrice="x")]) as fake:
        MlsSourceFactory(name="Front", url=fake.url)
        call_command("sync_mls", "Front")

    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "Front: created 1, updated 0, unchanged 0, deleted 0, failed 1"


def test_sync_mls_command_fails_when_a_source_fails():
    with FakeSource([record(1)]) as fake:
        MlsSourceFactory(name="Front", url=fake.url)
        fake.faults = [500] * 10
        with pytest.raises(CommandError, match="Some sources failed"):
            call_command("sync_mls", "--full")
    assert SyncRun.objects.get().status == "failed"


def test_sync_mls_command_names_an_unknown_source():
    with pytest.raises(CommandError, match="No MLS source 'Nope'"):
        call_command("sync_mls", "Nope")


def test_staff_add_a_source_in_the_admin_press_sync_now_and_the_listings_appear_in_the_api(
    embedded, client, staff, settings
):
    # The "Done when", end to end on the embedded runner (what `make run` uses).
    settings.MLS_SYNC_ALLOW_PRIVATE = True
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    with FakeSource([record(n) for n in range(1, 6)]) as fake:
        added = client.post(
            "/admin/mls/mlssource/add/",
            {"name": "Front Range", "url": fake.url, "token_url": "", "client_id": "",
             "client_secret": "", "page_size": 2, "schedule_minutes": 15, "enabled": "on",
             "runs-TOTAL_FORMS": 0, "runs-INITIAL_FORMS": 0},
        )  # fmt: skip
        assert added.status_code == 302, added.content.decode()[:2000]
        source = MlsSource.objects.get(name="Front Range")

        client.post(
            "/admin/mls/mlssource/", {"action": "sync_now", "_selected_action": [source.pk]}
        )
        _wait_finished()
        run = SyncRun.objects.get(source=source)

        page = client.get("/admin/mls/mlssource/").content.decode()
        listed = client.get("/api/properties/", {"page_size": 50}).json()

    run.refresh_from_db()
    assert (run.trigger, run.status, run.counts) == (
        "admin", "succeeded",
        {"created": 5, "updated": 0, "unchanged": 0, "deleted": 0, "failed": 0},
    )  # fmt: skip
    assert "succeeded" in page
    assert sorted(item["mls_number"] for item in listed["results"]) == [
        f"SRC{n}" for n in range(1, 6)
    ]
