"""Overlapping bulk writes with the Python work that prepares the next batch."""

from concurrent.futures import ThreadPoolExecutor

from django.db import connection, connections, transaction


class BatchWriter:
    """Runs each batch's write in its own transaction, one batch behind the caller.

    On PostgreSQL the write runs on a second connection in a worker thread, so
    the database inserts one batch while Python validates or builds the next
    (the driver releases the GIL while it waits). At most one batch is in
    flight, and every batch commits on its own, so an interrupted run leaves
    whole batches only. Elsewhere, or inside a caller's transaction (which a
    second connection could not see), writes run inline.
    """

    def __init__(self):
        threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
        self._executor = ThreadPoolExecutor(max_workers=1) if threaded else None
        self._pending = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def submit(self, write, *args, **kwargs) -> None:
        """Run ``write(*args, **kwargs)`` in a transaction, after the previous batch."""
        if self._executor is None:
            _atomic_call(write, args, kwargs)
            return
        self.wait()
        self._pending = self._executor.submit(_atomic_call, write, args, kwargs)

    def wait(self) -> None:
        """Block until the batch in flight is written; re-raise its error, if any."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        if self._executor is None:
            return
        try:
            self.wait()
        finally:
            # The worker's connection is thread-local: only the worker can close it.
            self._executor.submit(connections.close_all).result()
            self._executor.shutdown()
            self._executor = None


def _atomic_call(write, args, kwargs):
    with transaction.atomic():
        write(*args, **kwargs)
