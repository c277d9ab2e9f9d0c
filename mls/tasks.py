"""Celery tasks of MLS sync (the embedded runner runs the same ones)."""

from celery import shared_task

from mls import services, sync


@shared_task(name="mls.tasks.sync_run_execute", acks_late=True, ignore_result=True)
def sync_run_execute(run_id: int) -> None:
    """Run or resume one sync run; safe to deliver twice (see ``mls.sync.sync_run_execute``)."""
    sync.sync_run_execute(run_id=run_id)


@shared_task(name="mls.tasks.sync_due", ignore_result=True)
def sync_due() -> None:
    """The schedule's tick: due sources, and runs to send again."""
    services.sync_due()
