"""Starting MLS syncs: one active run per source, queued on the background jobs layer."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from jobs.locks import job_lock_held
from jobs.services import job_enqueue
from mls.models import MlsSource, SyncRun
from mls.sync import lock_name

EXECUTE_TASK = "mls.tasks.sync_run_execute"
# A queued run not started after this long is sent again (its message was lost,
# or the broker was down when it was queued).
REQUEUE_AFTER = timedelta(seconds=30)


def sync_run_request(*, source: MlsSource, trigger: str, full: bool = False) -> SyncRun:
    """Queue a run of ``source``; a source with a queued or running run gets that run back."""
    with transaction.atomic():
        MlsSource.objects.select_for_update().filter(pk=source.pk).first()
        active = source.runs.filter(status__in=SyncRun.ACTIVE_STATUSES).first()
        if active is not None:
            return active
        run = SyncRun.objects.create(source=source, trigger=trigger, full=full)
    job_enqueue(task=EXECUTE_TASK, kwargs={"run_id": run.pk})
    return run


def sync_due() -> list[int]:
    """Queue the scheduled runs that are due and send again runs that were orphaned.

    Orphaned: queued for a while with no worker on them (a lost message, the
    broker down), or running with no lease held (the worker was killed). Their
    next execution resumes from the source's high-water mark.
    """
    now = timezone.now()
    for source in MlsSource.objects.filter(enabled=True, schedule_minutes__isnull=False):
        last = source.runs.order_by("-queued_at").values_list("queued_at", flat=True).first()
        if last is None or last <= now - timedelta(minutes=source.schedule_minutes):
            sync_run_request(source=source, trigger=SyncRun.Trigger.SCHEDULE)
    resent = []
    for run in SyncRun.objects.filter(status__in=SyncRun.ACTIVE_STATUSES):
        stale = run.status == SyncRun.Status.QUEUED and run.queued_at <= now - REQUEUE_AFTER
        orphaned = run.status == SyncRun.Status.RUNNING
        if (stale or orphaned) and not job_lock_held(name=lock_name(run.source_id)):
            if job_enqueue(task=EXECUTE_TASK, kwargs={"run_id": run.pk}):
                resent.append(run.pk)
    return resent
