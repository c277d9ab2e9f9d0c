"""One change history for every listing: declaring who writes, and reading the trail.

The rows are written by the database (the ``change_log`` rule, SQL in
``properties.change_log``); writers only say who or what they are, for the
length of their transaction, with ``change_context``.
"""

from contextlib import contextmanager
from decimal import Decimal

from django.db import connections, router, transaction

from properties.database_rules.change_log import CONTEXT_SETTING, SQLITE_CONTEXT_TABLE
from properties.models import ListingChange, Property


def actor_label(*, user=None, via: str) -> str:
    """``"admin: Brian Mitchell (bmitchell)"``: the path, and the person when there is one."""
    if user is None or not user.is_authenticated:
        return via
    name = user.get_full_name()
    who = f"{name} ({user.get_username()})" if name else user.get_username()
    return f"{via}: {who}"[:255]


@contextmanager
def change_context(context: str):
    """Attribute every listing change written inside the block to ``context``.

    Opens a transaction (the context is transaction-local) and restores the
    enclosing context on exit, so nested writers each keep their own label.
    """
    using = router.db_for_write(Property)
    connection = connections[using]
    context = context[:255]
    # Outside a transaction nothing encloses this one: no context to read or restore
    # (PostgreSQL's is transaction-local and ends with it; SQLite's row is deleted).
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using), connection.cursor() as cursor:
        previous = "" if outermost else _get(cursor, connection.vendor)
        _set(cursor, connection.vendor, context)
        try:
            yield
        finally:
            restore = not (outermost and connection.vendor == "postgresql")
            # A transaction that failed is rolled back, its context with it.
            if restore and not connection.needs_rollback:
                _set(cursor, connection.vendor, previous)


def _get(cursor, vendor: str) -> str:
    if vendor == "postgresql":
        cursor.execute("SELECT current_setting(%s, true)", [CONTEXT_SETTING])
    else:
        cursor.execute(f"SELECT context FROM {SQLITE_CONTEXT_TABLE} WHERE id = 1")  # noqa: S608
    row = cursor.fetchone()
    return (row[0] or "") if row else ""


def _set(cursor, vendor: str, context: str) -> None:
    if vendor == "postgresql":
        cursor.execute("SELECT set_config(%s, %s, true)", [CONTEXT_SETTING, context])
    elif context:
        cursor.execute(
            f"INSERT OR REPLACE INTO {SQLITE_CONTEXT_TABLE} (id, context) VALUES (1, %s)",  # noqa: S608
            [context],
        )
    else:
        cursor.execute(f"DELETE FROM {SQLITE_CONTEXT_TABLE} WHERE id = 1")  # noqa: S608


def listing_history(*, listing_id: int):
    """A listing's changes, newest first."""
    return ListingChange.objects.filter(property_id=listing_id).order_by("-changed_at", "-id")


def field_label(column: str) -> str:
    """The verbose name staff know a column by (``listing_agent_id`` → ``listing agent``)."""
    for field in Property._meta.concrete_fields:
        if field.column == column:
            return str(field.verbose_name)
    return column


MONEY_COLUMNS = ("price", "sold_price")


def _shown(column: str, value):
    if value is None or value == "":
        return "—"
    if column in MONEY_COLUMNS:
        from properties.admin_display import money  # the admin's formatting, not a model concern

        return money(Decimal(str(value)))
    return value


def describe(change: ListingChange) -> list[tuple[str, object, object]]:
    """``[(field label, old, new)]`` of one change, in the model's field order, money as money."""
    order = {f.column: i for i, f in enumerate(Property._meta.concrete_fields)}
    return [
        (field_label(column), _shown(column, values[0]), _shown(column, values[1]))
        for column, values in sorted(change.changes.items(), key=lambda kv: order.get(kv[0], 99))
    ]
