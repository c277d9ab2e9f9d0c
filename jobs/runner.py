"""The embedded runner: Celery's tasks and beat schedule, run inside the web process.

Used when no broker is configured (``CELERY_BROKER_URL`` unset), so `make run`
serves and syncs with nothing else installed. A thread pool runs the tasks
(``JOBS_EMBEDDED_WORKERS`` at once, so several sources sync in parallel) and a
scheduler thread fires ``CELERY_BEAT_SCHEDULE``'s entries at their intervals:
the same tasks and the same schedule the Celery worker and beat run.
It is started by ``config/wsgi.py``, which both ``runserver`` and gunicorn load.
"""

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from celery import current_app
from django.conf import settings
from django.db import connection, connections

logger = logging.getLogger(__name__)


class EmbeddedRunner:
    """A thread pool for tasks and a thread that enqueues the beat schedule's entries."""

    def __init__(self, *, workers: int, schedule: dict):
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hearth-job")
        self.schedule = {
            name: entry
            for name, entry in schedule.items()
            if isinstance(entry.get("schedule"), int | float)
        }
        self._stop = threading.Event()
        self._scheduler = None

    def submit(self, task_name: str, kwargs: dict) -> Future:
        return self.pool.submit(_task_run, task_name, kwargs)

    def start_schedule(self) -> None:
        if self._scheduler is None and self.schedule:
            self._scheduler = threading.Thread(
                target=self._schedule_loop, name="hearth-job-scheduler", daemon=True
            )
            self._scheduler.start()

    def _schedule_loop(self) -> None:
        due = {name: time.monotonic() for name in self.schedule}
        while not self._stop.is_set():
            now = time.monotonic()
            for name, entry in self.schedule.items():
                if now >= due[name]:
                    due[name] = now + float(entry["schedule"])
                    self.submit(entry["task"], entry.get("kwargs", {}))
            self._stop.wait(min(due.values()) - time.monotonic() if due else 1)

    def stop(self, *, wait: bool = True) -> None:
        self._stop.set()
        self.pool.shutdown(wait=wait)


def _task_run(task_name: str, kwargs: dict):
    try:
        return current_app.tasks[task_name](**kwargs)
    except Exception:
        # A job's failure is its own to record (a failed run); this keeps the pool alive.
        logger.exception("Embedded job %s failed", task_name)
        raise
    finally:
        # Each pool thread has its own connections; a long-lived idle one would go stale.
        connections.close_all()


_runner: EmbeddedRunner | None = None
_runner_lock = threading.Lock()


def runner_get() -> EmbeddedRunner:
    """The process's embedded runner, created on first use (tasks only, no schedule)."""
    global _runner
    with _runner_lock:
        if _runner is None:
            # SQLite takes one writer at a time (an in-memory test database refuses a
            # second one outright): jobs run one after another there.
            workers = 1 if connection.vendor == "sqlite" else settings.JOBS_EMBEDDED_WORKERS
            _runner = EmbeddedRunner(
                workers=workers,
                schedule=settings.CELERY_BEAT_SCHEDULE,
            )
        return _runner


def runner_start() -> EmbeddedRunner | None:
    """Start the embedded runner and its schedule, unless a broker (Celery) runs the jobs."""
    if settings.CELERY_BROKER_URL or not settings.JOBS_EMBEDDED_AUTOSTART:
        return None
    runner = runner_get()
    runner.start_schedule()
    return runner


def runner_reset() -> None:
    """Stop and forget the embedded runner (tests)."""
    global _runner
    with _runner_lock:
        if _runner is not None:
            _runner.stop()
        _runner = None
