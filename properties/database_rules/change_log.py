"""The SQL of the ``change_log`` database rule (see ``properties.database_rules``).

Every UPDATE of a listing that changes a column other than the bookkeeping
ones adds a ``ListingChange`` row: ``{column: [old, new]}``, when, and the
context (who or what) that the writing transaction declared with
``history.change_context``. On PostgreSQL the context is a transaction-local
setting (``hearth.change_context``); on SQLite, whose triggers cannot read
per-connection state, it is a one-row table that the writer fills and empties
inside its own transaction (SQLite serialises writers, and uncommitted rows
are invisible to other connections).
"""

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS, connections

from properties.database_rules.base import RuleSQL, Trigger

CONTEXT_SETTING = "hearth.change_context"
SQLITE_CONTEXT_TABLE = "properties_change_context"
# Written by the database or by every save: they would drown the real changes.
# The change times are the listing_change_times rule's stamps of changes that
# are logged themselves (on SQLite they arrive as a second UPDATE).
IGNORED = (
    "id",
    "created_at",
    "updated_at",
    "photo_total",
    "primary_photo_image",
    "status_changed_at",
    "price_changed_at",
    "photos_changed_at",
)


def change_log_sql(vendor: str):
    listing_model = global_apps.get_model("properties.Property")
    listing = listing_model._meta.db_table
    history = global_apps.get_model("properties.ListingChange")._meta.db_table
    name = f"{listing}_change_log"
    if vendor == "postgresql":
        ignored = ", ".join(f"'{column}'" for column in IGNORED)
        function = "properties_record_listing_change"
        # Columns are compared as JSON, so the trigger names none (see database_rules).
        return RuleSQL(
            setup=[
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$\n"
                "DECLARE changed jsonb;\nBEGIN\n"
                "    SELECT jsonb_object_agg(n.key, jsonb_build_array(o.value, n.value))\n"
                "    INTO changed FROM jsonb_each(to_jsonb(OLD)) o\n"
                "    JOIN jsonb_each(to_jsonb(NEW)) n ON n.key = o.key\n"
                f"    WHERE o.value IS DISTINCT FROM n.value AND n.key NOT IN ({ignored});\n"
                "    IF changed IS NOT NULL THEN\n"
                f"        INSERT INTO {history} (property_id, changed_at, changes, context)\n"
                "        VALUES (NEW.id, now(), changed, "
                f"COALESCE(current_setting('{CONTEXT_SETTING}', true), ''));\n"
                "    END IF;\n    RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql;"
            ],
            triggers=[
                Trigger(
                    name,
                    listing,
                    f"CREATE TRIGGER {name} AFTER UPDATE ON {listing} FOR EACH ROW "
                    f"EXECUTE FUNCTION {function}();",
                )
            ],
            teardown=[f"DROP FUNCTION IF EXISTS {function}();"],
        )
    columns = _sqlite_columns(listing) or [f.column for f in listing_model._meta.concrete_fields]
    columns = [column for column in columns if column not in IGNORED]
    pairs = " UNION ALL ".join(
        f"SELECT '{column}' AS k, OLD.{column} AS o, NEW.{column} AS n" for column in columns
    )
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    return RuleSQL(
        setup=[
            f"CREATE TABLE IF NOT EXISTS {SQLITE_CONTEXT_TABLE} "
            "(id integer PRIMARY KEY, context text NOT NULL);"
        ],
        triggers=[
            Trigger(
                name,
                listing,
                f"CREATE TRIGGER {name} AFTER UPDATE ON {listing} FOR EACH ROW BEGIN "
                f"INSERT INTO {history} (property_id, changed_at, changes, context) "
                f"SELECT NEW.id, {now}, json_group_object(k, json_array(o, n)), "
                f"COALESCE((SELECT context FROM {SQLITE_CONTEXT_TABLE} WHERE id = 1), '') "
                f"FROM ({pairs}) WHERE o IS NOT n HAVING COUNT(*) > 0; END",
            )
        ],
        teardown=[f"DROP TABLE IF EXISTS {SQLITE_CONTEXT_TABLE};"],
    )


def _sqlite_columns(table: str) -> list[str]:
    # SQLite triggers must name the columns they compare: the table's own, as the
    # database has them (a migration may rename one before the model follows), so
    # the next migrate's sync rebuilds the trigger from the new schema.
    # Empty when the table does not exist yet (uninstalling from a new database).
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        if table not in connection.introspection.table_names(cursor):
            return []
        return [
            column.name for column in connection.introspection.get_table_description(cursor, table)
        ]
