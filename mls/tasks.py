"""Celery tasks of MLS sync (the embedded runner runs the same ones)."""

from celery import shared_task
from django.conf import settings

from mls import services, sync


@shared_task(
    bind=True, name="mls.tasks.sync_run_execute", acks_late=True, ignore_result=True,
    max_retries=None,
)  # fmt: skip
def sync_run_execute(self, run_id: int) -> None:
    """Run or resume one sync run; safe to deliver twice (see ``mls.sync.sync_run_execute``)."""
    try:
        sync.sync_run_execute(run_id=run_id)
    except sync.SourceBusy:
        if self.request.called_directly:
            # The embedded runner: the schedule's sync_due sends the run again.
            return
        # A worker killed mid-run still holds its lease until it expires: wait it out.
        raise self.retry(countdown=settings.MLS_SYNC_LEASE_SECONDS) from None


@shared_task(name="mls.tasks.sync_due", ignore_result=True)
def sync_due() -> None:
    """The schedule's tick: due sources, and runs to send again."""
    services.sync_due()
