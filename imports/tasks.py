"""Celery tasks of admin imports (the embedded runner runs the same ones)."""

from celery import shared_task

from imports import services


@shared_task(name="imports.tasks.import_run_execute", acks_late=True, ignore_result=True)
def import_run_execute(run_id: int) -> None:
    """Run one uploaded import; safe to deliver twice."""
    services.import_run_execute(run_id=run_id)


@shared_task(name="imports.tasks.import_runs_requeue", ignore_result=True)
def import_runs_requeue() -> None:
    """The schedule's tick: send again runs whose message was lost or whose worker died."""
    services.import_runs_requeue()
