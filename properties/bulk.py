"""Bulk writes: one batch written while Python prepares the next, COPY upserts and inserts."""

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import cache

from django.db import DatabaseError, connection, connections, models, transaction
from django.utils import timezone

from properties.models import Property


class BatchWriter:
    """Runs each batch's write in its own transaction, one batch behind the caller.

    On PostgreSQL the write runs on a second connection in a worker thread, so
    the database inserts one batch while Python validates or builds the next
    (the driver releases the GIL while it waits). At most one batch is in
    flight, and every batch commits on its own, so an interrupted run leaves
    whole batches only. Elsewhere, or inside a caller's transaction (which a
    second connection could not see), writes run inline.

    The second connection is a spare one or none: it is taken from the pool
    for one batch at a time and only when the pool has one free (web requests
    and other jobs share it); otherwise the writes run inline, never failing
    or waiting for want of one.
    """

    def __init__(self, *, context: str = ""):
        # Who or what writes, for the listings' change history (history.change_context).
        self._context = context
        threaded = (
            connection.vendor == "postgresql"
            and not connection.in_atomic_block
            and _pool_has_spare(connection)
        )
        self._executor = ThreadPoolExecutor(max_workers=1) if threaded else None
        self._pending = None
        self._pending_call = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def submit(self, write, *args, **kwargs) -> None:
        """Run ``write(*args, **kwargs)`` in a transaction, after the previous batch."""
        self.wait()
        if self._executor is None:
            _atomic_call(write, args, kwargs, self._context)
            return
        self._pending_call = (write, args, kwargs, self._context)
        self._pending = self._executor.submit(_threaded_call, *self._pending_call)

    def wait(self) -> None:
        """Block until the batch in flight is written; re-raise its error, if any."""
        pending, self._pending = self._pending, None
        if pending is not None and pending.result() is _NO_CONNECTION:
            # Nothing of the batch was written: write it here, and the rest too.
            self._executor_stop()
            _atomic_call(*self._pending_call)

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self._executor_stop()

    def _executor_stop(self) -> None:
        if self._executor is None:
            return
        # The worker's connection is thread-local: only the worker can close it.
        self._executor.submit(connections.close_all).result()
        self._executor.shutdown()
        self._executor = None


_NO_CONNECTION = object()


def _pool_has_spare(conn) -> bool:
    """Whether ``conn``'s pool (if any) has a connection no one is waiting for."""
    pool = getattr(conn, "pool", None)
    if pool is None:
        return True
    stats = pool.get_stats()
    if stats.get("requests_waiting", 0):
        return False
    return stats.get("pool_available", 0) > 0 or stats.get("pool_size", 0) < pool.max_size


def _connection_open() -> None:
    # Never wait for the pool: a request or another job waiting for a connection
    # needs it more than this batch needs another thread.
    if connection.connection is None and not _pool_has_spare(connection):
        raise DatabaseError("no spare connection in the pool")
    connection.ensure_connection()


def _threaded_call(write, args, kwargs, context):
    try:
        _connection_open()
    except DatabaseError:
        return _NO_CONNECTION
    try:
        _atomic_call(write, args, kwargs, context)
    finally:
        if connection.pool is not None:
            # Back to the pool between batches, so the writer never holds one for long.
            connection.close()
    return None


def _atomic_call(write, args, kwargs, context):
    from properties.history import change_context  # history imports the models

    if not context:
        with transaction.atomic():
            write(*args, **kwargs)
        return
    with change_context(context):  # its own transaction.atomic
        write(*args, **kwargs)


def listings_upsert(
    listings: list,
    *,
    update_fields: list[str],
    unique_fields: list[str] = ("mls_scope", "mls_number"),
) -> None:
    """Insert ``listings``, updating ``update_fields`` of those whose key exists.

    The key is ``unique_fields``: (``mls_scope``, MLS number), or (source, ``ListingKey``)
    for listings an MLS sync replicates.

    Sets each listing's ``pk``. On PostgreSQL the rows are streamed with COPY
    into a temporary table and merged with one ``INSERT ... SELECT ... ON
    CONFLICT (key) DO UPDATE``: the same statement ``bulk_create`` would
    run, without building a 25-parameters-a-row query in Python. A price that
    changes is still an UPDATE of ``price``, so the database records it
    (the ``price_history`` rule of ``database_rules``).
    """
    if connection.vendor != "postgresql":
        Property.objects.bulk_create(
            listings,
            update_conflicts=True,
            unique_fields=list(unique_fields),
            update_fields=update_fields,
        )
        return
    # The photo summary and generated columns (bathrooms) are the database's to write.
    fields = [
        f
        for f in Property._meta.concrete_fields
        if not f.primary_key and not f.generated and f.name not in Property.PHOTO_SUMMARY_FIELDS
    ]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(Property._meta.db_table)
    updates = ", ".join(
        f"{name} = EXCLUDED.{name}"
        for name in (
            connection.ops.quote_name(Property._meta.get_field(f).column) for f in update_fields
        )
    )
    key_fields = [Property._meta.get_field(name) for name in unique_fields]
    conflict = ", ".join(connection.ops.quote_name(f.column) for f in key_fields)
    # A generated key column (mls_scope) is not on the unsaved objects: rows are
    # matched back on the other key columns, unique within one call.
    key_columns = [f.column for f in key_fields if not f.generated]
    returned = ", ".join(connection.ops.quote_name(column) for column in key_columns)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS listings_upsert_rows "  # noqa: S608
            f"ON COMMIT DELETE ROWS AS SELECT {columns} FROM {table} WITH NO DATA"
        )
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
        with raw.copy(f"COPY listings_upsert_rows ({columns}) FROM STDIN") as copy:
            for listing in listings:
                # What the fields' auto_now(_add) would set; a conflict keeps created_at.
                listing.created_at = listing.created_at or now
                listing.updated_at = now
                copy.write_row([getattr(listing, f.attname) for f in fields])
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM listings_upsert_rows "  # noqa: S608
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates} RETURNING id, {returned}"
        )
        ids = {tuple(row[1:]): row[0] for row in cursor.fetchall()}
        cursor.execute("DELETE FROM listings_upsert_rows")
    for listing in listings:
        listing.pk = ids[tuple(getattr(listing, column) for column in key_columns)]


def ids_reserve(model, count: int) -> list[int]:
    """``count`` primary keys for new ``model`` rows, so related rows can name them first.

    On PostgreSQL they come from the table's own sequence, so concurrent writers
    never clash; on SQLite (one writer at a time) they follow the highest id ever
    given, as AUTOINCREMENT would: a deleted listing's id is never reused.
    """
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
    top = model.objects.aggregate(top=models.Max("pk"))["top"] or 0
    first = max(top, row[0] if row else 0) + 1
    return list(range(first, first + count))


def rows_insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert ``rows``, tuples of ``columns`` (attribute names), into ``model``'s table.

    PostgreSQL gets them by COPY, straight into the table: the database rules'
    triggers fire for every row as for any INSERT. Elsewhere ``bulk_create``
    writes them. Columns left out take their field's default (the database's, if
    it has one).
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            (model(**dict(zip(columns, row, strict=True))) for row in rows), batch_size=500
        )
        return
    fields = [model._meta.get_field(name) for name in columns]
    # Fields with no database default get the model's, as bulk_create would give them.
    defaulted = [
        f
        for f in model._meta.concrete_fields
        if f not in fields
        and not f.primary_key
        and not f.generated
        and f.db_default is models.NOT_PROVIDED
    ]
    defaults = tuple(f.get_default() for f in defaulted)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in (*fields, *defaulted))
    with connection.cursor() as cursor:
        # psycopg's own cursor: Django's wrapper has no copy().
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row + defaults)


@cache
def triggers_can_pause() -> bool:
    """Whether ``triggers_paused`` works here: PostgreSQL, as a superuser."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        return cursor.fetchone()[0]


@contextmanager
def triggers_paused():
    """No trigger fires, foreign keys included, inside the caller's transaction.

    Only for writes whose triggers' effects the caller produces itself, in bulk.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("triggers_paused() needs a transaction to be paused in.")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        # No `finally`: after an error the transaction is aborted and could run nothing,
        # and its rollback ends a SET LOCAL anyway.
        yield
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
