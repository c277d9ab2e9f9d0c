"""The ``entity_events`` rule: an ``EntityEvent`` per change of a served record."""

from django.apps import apps as global_apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from properties.database_rules.base import RuleSQL, Trigger, column_name, table_name

# Served tables (model label), the RESO resource their rows are, the rows that count
# (a column value, or every row), and columns whose change alone is no change of the
# record (a login, a password). The key is the row's id, as the OData layer serves it.
ENTITY_EVENT_SOURCES = (
    ("properties.Property", "Property", None, ()),
    ("properties.PropertyPhoto", "Media", None, ()),
    ("properties.OpenHouse", "OpenHouse", None, ()),
    ("users.Office", "Office", None, ()),
    (settings.AUTH_USER_MODEL, "Member", ("role", "agent"), ("last_login", "password")),
)


def _sqlite_columns(table: str, model) -> list[str]:
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "sqlite":
        try:
            with connection.cursor() as cursor:
                description = connection.introspection.get_table_description(cursor, table)
            return [column.name for column in description]
        except DatabaseError:
            pass  # the table is not created yet
    return [field.column for field in model._meta.concrete_fields]


def entity_events_sql(vendor: str) -> RuleSQL:
    """Every create, change and delete of a served record appends one EntityEvent row."""
    events = table_name("reso.EntityEvent")
    columns = "(resource_name, resource_record_key, created_at)"
    if vendor == "postgresql":
        return _postgresql_sql(events, columns)
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    triggers = []
    for label, resource, required, ignored in ENTITY_EVENT_SOURCES:
        model = global_apps.get_model(label)
        table = model._meta.db_table
        ignored_columns = {column_name(label, name) for name in ignored}
        # SQLite has no row comparison: the change test names the table's columns as the
        # database has them now, so a migration that adds or renames one changes this SQL,
        # which the sync after it installs.
        changed = " OR ".join(
            f'OLD."{column}" IS NOT NEW."{column}"'
            for column in _sqlite_columns(table, model)
            if column not in ignored_columns
        )

        def counts(row, required=required, label=label):
            if required is None:
                return "1"
            return f"{row}.{column_name(label, required[0])} = '{required[1]}'"

        def event(row, resource=resource):
            # Other rules' triggers correct a row with a second UPDATE on SQLite (it cannot
            # assign NEW): one write fires this trigger twice within the same millisecond.
            # An event repeating the newest one (same record, same instant) tells a consumer
            # nothing new, so it is not written.
            key = f"CAST({row}.id AS TEXT)"
            return (
                f"INSERT INTO {events} {columns} SELECT '{resource}', {key}, {now} "
                f"WHERE NOT EXISTS (SELECT 1 FROM {events} WHERE id = "
                f"(SELECT MAX(id) FROM {events}) AND resource_name = '{resource}' "
                f"AND resource_record_key = {key} AND created_at = {now});"
            )

        triggers += [
            Trigger(
                f"{table}_entity_event_insert",
                table,
                f"CREATE TRIGGER {table}_entity_event_insert AFTER INSERT ON {table} "
                f"FOR EACH ROW WHEN {counts('NEW')} BEGIN {event('NEW')} END",
            ),
            Trigger(
                f"{table}_entity_event_update",
                table,
                f"CREATE TRIGGER {table}_entity_event_update AFTER UPDATE ON {table} "
                f"FOR EACH ROW WHEN ({counts('NEW')} OR {counts('OLD')}) AND ({changed}) "
                f"BEGIN {event('NEW')} END",
            ),
            Trigger(
                f"{table}_entity_event_delete",
                table,
                f"CREATE TRIGGER {table}_entity_event_delete AFTER DELETE ON {table} "
                f"FOR EACH ROW WHEN {counts('OLD')} BEGIN {event('OLD')} END",
            ),
        ]
    return RuleSQL(triggers=triggers)


def _postgresql_sql(events: str, columns: str) -> RuleSQL:
    """One trigger per table and event, FOR EACH STATEMENT over its transition tables.

    A per-row trigger cost a PL/pgSQL call, two ``to_jsonb`` and an INSERT for every
    row; a bulk write (an MLS page, an import) now appends its events with one
    ``INSERT ... SELECT`` (issue 16). PostgreSQL allows transition tables only on a
    trigger of one event with no column list, hence three triggers a table.

    Events keep the order rows were written within each trigger. An upsert
    (INSERT ... ON CONFLICT DO UPDATE, the import's and the sync's write) fires its
    UPDATE statement trigger before its INSERT one, so the rows it changed come
    before the rows it added; they commit together, so no consumer sees between.
    """
    setup, triggers, teardown = [], [], []
    for label, resource, required, ignored in ENTITY_EVENT_SOURCES:
        table = table_name(label)
        function = f"{table}_entity_events"

        def append(key: str, rows: str, *conditions: str, resource=resource) -> str:
            # clock_timestamp, evaluated per row: the events of one long transaction
            # keep their order in time.
            where = "".join(
                f"\n        {'AND' if i else 'WHERE'} {condition}"
                for i, condition in enumerate(conditions)
            )
            return (
                f"INSERT INTO {events} {columns}\n"
                f"        SELECT '{resource}', {key}::text, clock_timestamp()\n"
                f"        FROM {rows}{where}"
            )

        def counts(*rows: str, label=label, required=required) -> tuple[str, ...]:
            if not required:
                return ()
            column, value = column_name(label, required[0]), required[1]
            return ("(" + " OR ".join(f"{row}.{column} = '{value}'" for row in rows) + ")",)

        if ignored:
            # Only agents have ignored columns (a login): their few rows are compared
            # as jsonb minus those columns, so the test names no other column.
            dropped = "'{" + ",".join(column_name(label, name) for name in ignored) + "}'::text[]"
            changed = f"(to_jsonb(o) - {dropped}) <> (to_jsonb(n) - {dropped})"
        else:
            # Rows compared by their binary image (as REFRESH MATERIALIZED VIEW
            # CONCURRENTLY does): no column named, and no column type needs an
            # equality operator (json and point have none).
            changed = "NOT (o *= n)"
        # An UPDATE's transition tables hold each row's old and new version at the same
        # position: pairing by position needs no key and keeps the order rows were written.
        # Each side is (position, the whole row as one value), so no column of the table
        # can clash with the names used here (photos have a "position"); fields are
        # read as (n).column.
        updated = (
            "(SELECT row_number() OVER (), whole_row FROM old_rows whole_row) AS old_side (i, o)\n"
            "        JOIN (SELECT row_number() OVER (), whole_row FROM new_rows whole_row) "
            "AS new_side (i, n) USING (i)"
        )
        on_update = append("(n).id", updated, *counts("(n)", "(o)"), changed)
        setup.append(
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$\nBEGIN\n"
            "    IF TG_OP = 'INSERT' THEN\n"
            f"        {append('n.id', 'new_rows n', *counts('n'))};\n"
            "    ELSIF TG_OP = 'DELETE' THEN\n"
            f"        {append('o.id', 'old_rows o', *counts('o'))};\n"
            f"    ELSE\n        {on_update}\n        ORDER BY i;\n"
            "    END IF;\n    RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql;"
        )
        for event, transition in (
            ("insert", "NEW TABLE AS new_rows"),
            ("update", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("delete", "OLD TABLE AS old_rows"),
        ):
            name = f"{table}_entity_event_{event}"
            triggers.append(
                Trigger(
                    name,
                    table,
                    f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} "
                    f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION {function}();",
                )
            )
        teardown.append(f"DROP FUNCTION IF EXISTS {function}();")
    return RuleSQL(setup=setup, triggers=triggers, teardown=teardown)
