"""Install, uninstall and inspect the rules; the migration operation, migrate hooks, check."""

from functools import partial

from django.core import checks
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, migrations, transaction
from django.db.migrations.recorder import MigrationRecorder

from properties.database_rules.base import Rule, RuleSQL, Trigger
from properties.database_rules.catalog import RULES, RULES_BY_NAME

# --- install, uninstall, inspect ------------------------------------------------------

# Aliases of SQLite databases being migrated: rules wait for the end of the run.
_deferred_aliases: set[str] = set()


def drop_trigger_sql(vendor: str, trigger: Trigger) -> str:
    if vendor == "postgresql":
        return f"DROP TRIGGER IF EXISTS {trigger.name} ON {trigger.table};"
    return f"DROP TRIGGER IF EXISTS {trigger.name};"


def _marker(rule: Rule, sql: RuleSQL) -> str:
    return f"hearth rule {rule.name} {sql.digest}"


def _table_names(connection) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def uninstall(connection, rule: Rule) -> None:
    """Drop a rule's triggers, then what they used."""
    vendor = connection.vendor
    sql = rule.sql(vendor)
    tables = _table_names(connection)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for trigger in sql.triggers:
            if vendor == "sqlite" or trigger.table in tables:
                cursor.execute(drop_trigger_sql(vendor, trigger))
        for statement in sql.teardown:
            cursor.execute(statement)


def install(connection, rule: Rule) -> None:
    """Create a rule's current definition, replacing whatever version is installed."""
    vendor = connection.vendor
    sql = rule.sql(vendor)
    uninstall(connection, rule)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in sql.setup:
            cursor.execute(statement)
        for trigger in sql.triggers:
            cursor.execute(trigger.sql)
            if vendor == "postgresql":
                cursor.execute(
                    f"COMMENT ON TRIGGER {trigger.name} ON {trigger.table} IS %s",
                    [_marker(rule, sql)],
                )


def _installed_triggers(connection) -> dict[str, str]:
    """Trigger name -> how it is recognised (SQLite: its SQL; PostgreSQL: its comment)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname, coalesce(obj_description(t.oid, 'pg_trigger'), '') "
                "FROM pg_trigger t WHERE NOT t.tgisinternal"
            )
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        return dict(cursor.fetchall())


def is_current(connection, rule: Rule, installed: dict[str, str] | None = None) -> bool:
    """Whether every trigger of the rule is in the database, as defined here."""
    sql = rule.sql(connection.vendor)
    installed = _installed_triggers(connection) if installed is None else installed
    if connection.vendor == "postgresql":
        return all(installed.get(t.name) == _marker(rule, sql) for t in sql.triggers)
    return all(installed.get(t.name) == t.sql for t in sql.triggers)


def _applied(connection) -> set[tuple[str, str]]:
    recorder = MigrationRecorder(connection)
    return set(recorder.applied_migrations()) if recorder.has_table() else set()


def expected_rules(connection) -> list[Rule]:
    """The rules this database should have: those whose migration is applied."""
    applied = _applied(connection)
    return [rule for rule in RULES if rule.migration in applied]


def sync(connection) -> list[str]:
    """Install every expected rule that is missing or outdated and drop the others.

    Returns the names of the rules it installed. Idempotent and cheap when
    nothing is to do: one query for the applied migrations, one for the triggers.
    """
    expected = expected_rules(connection)
    installed = _installed_triggers(connection)
    done = []
    for rule in RULES:
        if rule not in expected:
            if any(t.name in installed for t in rule.sql(connection.vendor).triggers):
                uninstall(connection, rule)
        elif not is_current(connection, rule, installed):
            install(connection, rule)
            done.append(rule.name)
    return done


def missing(connection) -> list[str]:
    """Names of the expected rules that are not installed as defined here."""
    installed = _installed_triggers(connection)
    return [
        rule.name
        for rule in expected_rules(connection)
        if not is_current(connection, rule, installed)
    ]


# --- migrations and the migrate command -----------------------------------------------


def _install_from_migration(names, apps, schema_editor):
    connection = schema_editor.connection
    if connection.alias in _deferred_aliases:
        return  # SQLite mid-migrate: installed by sync() when the run ends
    for name in names:
        rule = RULES_BY_NAME[name]
        # Today's SQL may read a column a later migration adds; that one installs it.
        if rule.fits(apps):
            install(connection, rule)


def _uninstall_from_migration(names, apps, schema_editor):
    for name in names:
        uninstall(schema_editor.connection, RULES_BY_NAME[name])


def install_operation(*names: str) -> migrations.RunPython:
    """The migration operation that installs these rules (and drops them when reversed)."""
    return migrations.RunPython(
        partial(_install_from_migration, names), partial(_uninstall_from_migration, names)
    )


def before_migrate(sender, using=DEFAULT_DB_ALIAS, plan=None, **kwargs):
    """``pre_migrate``: on SQLite, lift every rule so table rebuilds cannot trip on them."""
    connection = connections[using]
    if connection.vendor != "sqlite" or not plan:
        return
    _deferred_aliases.add(using)
    for rule in RULES:
        uninstall(connection, rule)


def after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """``post_migrate`` (also sent by ``flush``): every rule as defined here."""
    _deferred_aliases.discard(using)
    sync(connections[using])


@checks.register("hearth")
def check_rules_installed(app_configs=None, databases=None, **kwargs):
    """hearth.E001: a rule whose migration is applied is missing or out of date.

    Runs with ``manage.py check`` and at server start (``databases`` not given),
    on the default database. ``migrate`` passes ``databases`` and is skipped:
    it is the command that repairs the rules.
    """
    if databases is not None:
        return []
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        names = missing(connection)
    except DatabaseError as exc:
        return [
            checks.Warning(
                f"Could not check Hearth's database rules: {exc}",
                id="hearth.W001",
            )
        ]
    return [
        checks.Error(
            f"The database rule '{name}' is missing or out of date: {RULES_BY_NAME[name].why}",
            hint="Run `manage.py migrate`, which installs every rule as defined in "
            "properties/database_rules/.",
            id="hearth.E001",
        )
        for name in names
    ]


def sqlite_triggers_aside(
    table: str, *, own_rules: tuple[str, ...] = ()
) -> tuple[migrations.RunPython, migrations.RunPython]:
    """The first and last operations of a migration that makes SQLite rebuild ``table``.

    Rebuilding a table drops its own triggers, and SQLite refuses to rename the
    rebuilt table while another table's trigger names the dropped one.
    ``migrate`` lifts the rules itself (``before_migrate``), but a migration run
    by other means (``MigrationExecutor`` in tests) is not, so the first
    operation sets aside every trigger naming ``table`` and the last puts them
    back. Triggers of ``own_rules`` (installed by the migration itself) are
    dropped, not restored. Both do nothing on other databases.
    """
    saved: list[tuple[str, str]] = []

    def set_aside(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE %s",
                [f"%{table}%"],
            )
            found = cursor.fetchall()
        own = {
            trigger.name
            for name in own_rules
            for trigger in RULES_BY_NAME[name].sql("sqlite").triggers
        }
        saved[:] = [(name, sql) for name, sql in found if name not in own]
        for name, _sql in found:
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}"')

    def put_back(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            present = {name for (name,) in cursor.fetchall()}
        for name, sql in saved:
            if name not in present:
                schema_editor.execute(sql)

    return (
        migrations.RunPython(set_aside, put_back, elidable=False),
        migrations.RunPython(put_back, set_aside, elidable=False),
    )
