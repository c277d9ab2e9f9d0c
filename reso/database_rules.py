"""EntityEvent rows written by the database, for every write to a served record.

Why triggers: a consumer of the RESO feed learns of changes and deletions only
from EntityEvent, so a write that leaves no event (a ``QuerySet.update()``, a
bulk action, a cascade, raw SQL, another service's connection) would leave
the consumer's copy wrong forever. Only the database sees every write.

One trigger per table and operation calls one rule: append
``(ResourceName, ResourceRecordKey, now)`` to ``reso_entityevent``. An update
that changes nothing stored (a same-value write, a login touching
``last_login``) adds no event. ``install()`` is idempotent and runs after
every ``migrate`` (``reso.apps``), so columns added later take part on SQLite,
where the "changed" test lists the columns; ``checks.py`` reports a database
where the triggers are missing.
"""

from dataclasses import dataclass

from django.db import connection as default_connection


@dataclass(frozen=True)
class Rule:
    """One served table: which resource its rows are, and which of them count."""

    resource: str
    table: str
    key_column: str = "id"
    # A SQL condition on the row (written with {row} for NEW/OLD); None = every row.
    condition: str | None = None
    # Columns whose change alone is not a change of the served record.
    ignored_columns: tuple[str, ...] = ()


RULES = (
    Rule("Property", "properties_property"),
    Rule("Media", "properties_propertyphoto"),
    Rule(
        "Member",
        "users_user",
        condition="{row}.role = 'agent'",
        ignored_columns=("last_login", "password"),
    ),
)

EVENT_TABLE = "reso_entityevent"


def _trigger_names(rule: Rule) -> list[str]:
    return [f"reso_event_{rule.table}_{operation}" for operation in ("insert", "update", "delete")]


def _rules_for(connection) -> list[Rule]:
    # Resources whose tables a later migration creates (Office, OpenHouse) join when they exist.
    tables = set(connection.introspection.table_names())
    return [rule for rule in RULES if rule.table in tables]


def _when(rule: Rule, row: str) -> str:
    return rule.condition.format(row=row) if rule.condition else "TRUE"


# --- PostgreSQL ----------------------------------------------------------------------

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION reso_entity_event() RETURNS trigger AS $$
DECLARE
    written jsonb := CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END;
BEGIN
    -- clock_timestamp, not now(): events of one long transaction keep their order in time too.
    INSERT INTO {EVENT_TABLE} (resource_name, resource_record_key, created_at)
    VALUES (TG_ARGV[0], written ->> TG_ARGV[1], clock_timestamp());
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""  # noqa: S608  (constants only, no input)


def _postgres_statements(rule: Rule) -> list[str]:
    insert, update, delete = _trigger_names(rule)
    ignored = ", ".join(f"'{column}'" for column in rule.ignored_columns)
    strip = f" - ARRAY[{ignored}]::text[]" if ignored else ""
    function = f"reso_entity_event('{rule.resource}', '{rule.key_column}')"
    return [
        f"DROP TRIGGER IF EXISTS {name} ON {rule.table}" for name in (insert, update, delete)
    ] + [
        f"CREATE TRIGGER {insert} AFTER INSERT ON {rule.table} FOR EACH ROW "
        f"WHEN ({_when(rule, 'NEW')}) EXECUTE FUNCTION {function}",
        f"CREATE TRIGGER {update} AFTER UPDATE ON {rule.table} FOR EACH ROW "
        f"WHEN (({_when(rule, 'NEW')} OR {_when(rule, 'OLD')}) "
        f"AND (to_jsonb(OLD){strip}) IS DISTINCT FROM (to_jsonb(NEW){strip})) "
        f"EXECUTE FUNCTION {function}",
        f"CREATE TRIGGER {delete} AFTER DELETE ON {rule.table} FOR EACH ROW "
        f"WHEN ({_when(rule, 'OLD')}) EXECUTE FUNCTION {function}",
    ]


# --- SQLite --------------------------------------------------------------------------

SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"


def _sqlite_statements(rule: Rule, columns: list[str]) -> list[str]:
    insert, update, delete = _trigger_names(rule)

    def event(row: str) -> str:
        return (
            f"INSERT INTO {EVENT_TABLE} (resource_name, resource_record_key, created_at) "  # noqa: S608
            f"VALUES ('{rule.resource}', CAST({row}.{rule.key_column} AS TEXT), {SQLITE_NOW});"
        )

    # SQLite has no row comparison: the changed test names every column the table has now.
    changed = " OR ".join(
        f'OLD."{column}" IS NOT NEW."{column}"'
        for column in columns
        if column not in rule.ignored_columns
    )
    return [f"DROP TRIGGER IF EXISTS {name}" for name in (insert, update, delete)] + [
        f"CREATE TRIGGER {insert} AFTER INSERT ON {rule.table} FOR EACH ROW "
        f"WHEN {_when(rule, 'NEW')} BEGIN {event('NEW')} END",
        f"CREATE TRIGGER {update} AFTER UPDATE ON {rule.table} FOR EACH ROW "
        f"WHEN ({_when(rule, 'NEW')} OR {_when(rule, 'OLD')}) AND ({changed}) "
        f"BEGIN {event('NEW')} END",
        f"CREATE TRIGGER {delete} AFTER DELETE ON {rule.table} FOR EACH ROW "
        f"WHEN {_when(rule, 'OLD')} BEGIN {event('OLD')} END",
    ]


# --- install / uninstall / check -----------------------------------------------------


def install(connection=default_connection) -> None:
    """Create (or re-create, with the tables' current columns) every EntityEvent trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTION)
        for rule in _rules_for(connection):
            if connection.vendor == "postgresql":
                statements = _postgres_statements(rule)
            else:
                columns = [
                    column.name
                    for column in connection.introspection.get_table_description(cursor, rule.table)
                ]
                statements = _sqlite_statements(rule, columns)
            for statement in statements:
                cursor.execute(statement)


def uninstall(connection=default_connection) -> None:
    with connection.cursor() as cursor:
        for rule in RULES:
            for name in _trigger_names(rule):
                if connection.vendor == "postgresql":
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {rule.table}")
                else:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS reso_entity_event()")


def missing_triggers(connection=default_connection) -> list[str]:
    """Names of the EntityEvent triggers this database should have and does not."""
    expected = [name for rule in _rules_for(connection) for name in _trigger_names(rule)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
    return [name for name in expected if name not in present]
