"""Imports from an uploaded file: stored, queued, then run with ``import_listings``' own service.

Validation is ``properties.importing.listings_import``'s and the file is read by
``properties.feeds``, exactly as the command does; this module only adds the
run record (who, status, progress, counts, per-row errors) around them.
"""

import logging
from datetime import timedelta

from django.db import DatabaseError, transaction
from django.utils import timezone

from imports.models import ImportRun
from jobs.locks import job_lock_acquire, job_lock_held, job_lock_release, job_lock_renew
from jobs.services import job_enqueue
from properties.feeds import FeedError, feed_read
from properties.history import actor_label
from properties.importing import ImportResult, listings_import

logger = logging.getLogger(__name__)

EXECUTE_TASK = "imports.tasks.import_run_execute"
LEASE_SECONDS = 120
# A queued run not started after this long is sent again (a lost message, the broker down).
REQUEUE_AFTER = timedelta(seconds=30)


def lock_name(run_id: int) -> str:
    return f"import-run-{run_id}"


def import_run_create(*, content: bytes, file_name: str, user) -> ImportRun:
    """Store an uploaded feed and queue its import.

    Raises ``FeedError`` (and stores nothing) when the file cannot be read as a
    feed at all: not UTF-8, malformed JSON, a CSV without a header or ListingId.
    """
    feed_read(content, name=file_name)
    with transaction.atomic():
        run = ImportRun.objects.create(
            uploaded_by=user, file_name=file_name[:255], content=content, size=len(content)
        )
        job_enqueue(task=EXECUTE_TASK, kwargs={"run_id": run.pk})
    return run


def import_run_execute(*, run_id: int) -> None:
    """Run a queued import; a second delivery of the same run does nothing.

    A run found ``running`` without a lease (its worker was killed) starts over:
    the import upserts, so rows already written come back as unchanged.
    """
    owner = job_lock_acquire(name=lock_name(run_id), ttl=LEASE_SECONDS)
    if owner is None:
        return  # another worker is on it
    try:
        claimed = ImportRun.objects.filter(pk=run_id, status__in=ImportRun.ACTIVE_STATUSES).update(
            status=ImportRun.Status.RUNNING,
            started_at=timezone.now(),
            progress=0,
            created=0,
            updated=0,
            unchanged=0,
            failed=0,
            errors=[],
        )
        if claimed:
            run = ImportRun.objects.select_related("uploaded_by").get(pk=run_id)
            _run(run, renew=lambda: job_lock_renew(name=lock_name(run_id), owner=owner))
    finally:
        job_lock_release(name=lock_name(run_id), owner=owner)


def import_context(run: ImportRun) -> str:
    """How the listing history names this run's writes."""
    who = actor_label(user=run.uploaded_by, via="admin import")
    return f"{who}, file {run.file_name} (import run {run.pk})"


def _run(run: ImportRun, *, renew) -> None:
    latest = ImportResult()
    feed = None

    def on_batch(result: ImportResult) -> None:
        nonlocal latest
        latest = result
        ImportRun.objects.filter(pk=run.pk).update(
            progress=min(feed.fraction_read, 1.0), **_counts(result)
        )
        renew()

    try:
        feed = feed_read(bytes(run.content), name=run.file_name)
        result = listings_import(
            records=feed.records, on_batch=on_batch, context=import_context(run)
        )
    except FeedError as exc:
        # The same words as import_listings: earlier batches are committed.
        _finish(run, latest, ImportRun.Status.FAILED, f"{exc} Rows before it were imported.")
    except DatabaseError as exc:
        _finish(
            run,
            latest,
            ImportRun.Status.FAILED,
            f"Writing to the database failed: {exc}. Batches before the failing one were "
            "committed; importing the file again completes it.",
        )
    except Exception as exc:
        _finish(run, latest, ImportRun.Status.FAILED, f"The import stopped: {exc!r}.")
        raise
    else:
        _finish(run, result, ImportRun.Status.SUCCEEDED, "")


def _counts(result: ImportResult) -> dict:
    return {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "failed": result.failed,
    }


def _finish(run: ImportRun, result: ImportResult, status: str, message: str) -> None:
    failures = sorted(result.failures, key=lambda failure: failure.row)
    done = {"progress": 1.0} if status == ImportRun.Status.SUCCEEDED else {}
    ImportRun.objects.filter(pk=run.pk).update(
        status=status,
        summary=result.summary()[:1000],
        message=message,
        finished_at=timezone.now(),
        errors=[
            {"row": f.row, "listing_id": f.mls_number, "reason": f.reason}
            for f in failures[: ImportRun.MAX_ERRORS]
        ],
        **_counts(result),
        **done,
    )


def import_runs_requeue() -> list[int]:
    """Send again the runs no worker is on: queued for a while, or running with no lease."""
    now = timezone.now()
    resent = []
    for run_id, status, queued_at in ImportRun.objects.filter(
        status__in=ImportRun.ACTIVE_STATUSES
    ).values_list("id", "status", "queued_at"):
        stale = status == ImportRun.Status.QUEUED and queued_at <= now - REQUEUE_AFTER
        orphaned = status == ImportRun.Status.RUNNING
        if (stale or orphaned) and not job_lock_held(name=lock_name(run_id)):
            if job_enqueue(task=EXECUTE_TASK, kwargs={"run_id": run_id}):
                resent.append(run_id)
    return resent
