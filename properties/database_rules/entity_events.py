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
        function = "reso_entity_event"
        # The function reads rows as jsonb, so no trigger names a column: arguments are
        # the resource, the columns to ignore, and the (column, value) rows must have.
        setup = [
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$\n"
            "DECLARE\n"
            "    old_row jsonb := CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END;\n"
            "    new_row jsonb := CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END;\n"
            "    ignored text[] := TG_ARGV[1]::text[];\n"
            "    required jsonb := TG_ARGV[2]::jsonb;\n"
            "BEGIN\n"
            "    IF TG_OP = 'UPDATE' AND (old_row - ignored) = (new_row - ignored) THEN\n"
            "        RETURN NULL;\n    END IF;\n"
            "    IF NOT (coalesce(new_row @> required, false) "
            "OR coalesce(old_row @> required, false)) THEN\n"
            "        RETURN NULL;\n    END IF;\n"
            # clock_timestamp: the events of one long transaction keep their order in time.
            f"    INSERT INTO {events} {columns}\n"
            "    VALUES (TG_ARGV[0], coalesce(new_row, old_row) ->> 'id', clock_timestamp());\n"
            "    RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql;"
        ]
        triggers = []
        for label, resource, required, ignored in ENTITY_EVENT_SOURCES:
            table = table_name(label)
            ignored_array = "{" + ",".join(column_name(label, name) for name in ignored) + "}"
            required_json = (
                f'{{"{column_name(label, required[0])}": "{required[1]}"}}' if required else "{}"
            )
            name = f"{table}_entity_event"
            triggers.append(
                Trigger(
                    name,
                    table,
                    f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION {function}"
                    f"('{resource}', '{ignored_array}', '{required_json}');",
                )
            )
        return RuleSQL(
            setup=setup, triggers=triggers, teardown=[f"DROP FUNCTION IF EXISTS {function}();"]
        )
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
