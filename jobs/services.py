"""Enqueueing background jobs: on Celery with a broker, else on the embedded runner."""

import logging

from celery import current_app
from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError

from jobs.runner import runner_get

logger = logging.getLogger(__name__)


def job_enqueue(*, task: str, kwargs: dict) -> bool:
    """Queue ``task`` with ``kwargs`` once the current transaction commits.

    Returns False when the broker cannot be reached: the caller's job record
    stays queued, and the periodic ``jobs_requeue`` of its app sends it again
    once the broker is back (the API must keep serving while the broker is down).
    """
    if not settings.CELERY_BROKER_URL:
        transaction.on_commit(lambda: runner_get().submit(task, kwargs), robust=True)
        return True
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _send(task, kwargs), robust=True)
        return True
    return _send(task, kwargs)


def _send(task: str, kwargs: dict) -> bool:
    try:
        current_app.send_task(task, kwargs=kwargs, retry=False)
    except (OperationalError, OSError) as exc:
        logger.warning("Broker unreachable, %s stays queued: %s", task, exc)
        return False
    return True
