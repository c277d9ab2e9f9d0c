"""The database rules (properties.database_rules): installed, checked, kept through migrations."""

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core import checks
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from properties import database_rules
from properties.querysets import search_vector

REPO = Path(__file__).resolve().parents[2]

# An ordinary schema change of the kind every later issue makes: alter, add and
# rename fields of listings, photos and users. On SQLite each of these rebuilds
# its table, which is what used to break migrate.
SCHEMA_CHANGE = {
    "properties": """
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("properties", "{leaf}")]

    operations = [
        migrations.AlterField("property", "city", models.CharField(max_length=120)),
        migrations.AddField(
            "property", "probe_note", models.CharField(max_length=20, null=True, blank=True)
        ),
        migrations.RenameField("property", "description", "remarks"),
        migrations.AlterField("propertyphoto", "caption", models.CharField(max_length=300)),
    ]
""",
    "users": """
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("users", "{leaf}")]

    operations = [
        migrations.AlterField("user", "email", models.EmailField(max_length=300)),
        migrations.RenameField("user", "bio", "about"),
    ]
""",
}

EVERY_RULE_FIRES = {
    "price_history_recorded": 1,
    "entity_events_written": 1,
    "listing_write_new_token": True,
    "photo_summary_after_insert": [1, "photos/probe.jpg"],
    "photo_summary_after_delete": [0, ""],
    "last_login_keeps_token": True,
    "agent_phone_new_token": True,
    "missing_rules": [],
}


@pytest.fixture
def scratch_database_url(tmp_path):
    """A database of the suite's kind that no test shares: a file, or a new PostgreSQL database."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    params = connection.get_connection_params()
    server = {k: params[k] for k in ("host", "port", "user", "password") if params.get(k)}
    name = f"hearth_rules_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    credentials = server["user"] + (f":{server['password']}" if "password" in server else "")
    yield f"postgres://{credentials}@{server['host']}:{server.get('port', 5432)}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def project_with_schema_change(tmp_path):
    """Settings whose migrations are the project's plus SCHEMA_CHANGE, as a developer's would be."""
    leaves = dict(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())
    package = tmp_path / "changed_migrations"
    for app in ("properties", "users"):
        shutil.copytree(
            REPO / app / "migrations",
            package / app,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        (package / app / "9999_schema_change.py").write_text(
            SCHEMA_CHANGE[app].replace("{leaf}", leaves[app])
        )
    (package / "__init__.py").write_text("")
    (tmp_path / "changed_settings.py").write_text(
        "from config.settings import *  # noqa: F403\n"
        "MIGRATION_MODULES = {'properties': 'changed_migrations.properties',"
        " 'users': 'changed_migrations.users'}\n"
    )
    return tmp_path, leaves


def run_django(tmp_path, database_url, *args):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="changed_settings",
        DJANGO_DEBUG="true",
        DATABASE_URL=database_url,
        PYTHONPATH=f"{tmp_path}{os.pathsep}{REPO}",
    )
    result = subprocess.run(  # noqa: S603  (this interpreter, the suite's own arguments)
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_schema_changes_migrate_both_ways_with_every_rule_intact(
    project_with_schema_change, scratch_database_url
):
    tmp_path, leaves = project_with_schema_change

    def django(*args):
        return run_django(tmp_path, scratch_database_url, *args)

    def migrate(*target):
        django("manage.py", "migrate", "--no-input", *target)

    def probe():
        return json.loads(django("-m", "tests.properties.rules_probe", "probe"))

    # Given a database at the project's migrations, with a listing and its agent
    migrate("users", leaves["users"])
    migrate("properties", leaves["properties"])
    migrate("reso")  # the EntityEvent table its rule writes to
    django("-m", "tests.properties.rules_probe", "setup")
    assert probe() == EVERY_RULE_FIRES

    # When a developer's migration alters, adds and renames fields
    migrate()

    # Then migrate succeeded and every rule still fires
    assert probe() == EVERY_RULE_FIRES

    # And reversing the change keeps them too
    migrate("properties", leaves["properties"])
    migrate("users", leaves["users"])
    assert probe() == EVERY_RULE_FIRES


@pytest.mark.django_db
class TestInstalledRules:
    def test_every_rule_is_installed_and_current_after_migrate(self):
        assert database_rules.missing(connection) == []
        assert database_rules.sync(connection) == []

    def test_check_fails_when_a_rule_is_missing_and_migrate_repairs_it(self):
        trigger = database_rules.RULES_BY_NAME["price_history"].sql(connection.vendor).triggers[0]
        with connection.cursor() as cursor:
            cursor.execute(database_rules.lifecycle.drop_trigger_sql(connection.vendor, trigger))

        errors = database_rules.check_rules_installed()

        assert [(e.id, e.level) for e in errors] == [("hearth.E001", checks.ERROR)]
        assert "'price_history'" in errors[0].msg

        call_command("migrate", verbosity=0)
        assert database_rules.check_rules_installed() == []
        assert database_rules.missing(connection) == []

    def test_an_outdated_definition_is_reported_and_replaced(self):
        rule = database_rules.RULES_BY_NAME["listing_data_version"]
        original = rule.build

        def changed(vendor):
            sql = original(vendor)
            first = sql.triggers[0]
            edited = database_rules.Trigger(
                first.name, first.table, first.sql.replace(" ON ", "  ON ", 1)
            )
            return database_rules.RuleSQL(
                triggers=[edited, *sql.triggers[1:]], setup=sql.setup, teardown=sql.teardown
            )

        object.__setattr__(rule, "build", changed)
        try:
            assert database_rules.missing(connection) == ["listing_data_version"]
            assert database_rules.sync(connection) == ["listing_data_version"]
            assert database_rules.missing(connection) == []
        finally:
            object.__setattr__(rule, "build", original)
            database_rules.sync(connection)

    def test_migrate_passes_databases_and_is_not_blocked_by_the_check(self):
        # migrate runs checks with databases=[alias]: a missing rule must not stop
        # the one command that repairs it.
        assert database_rules.check_rules_installed(databases=["default"]) == []


def test_the_search_index_is_built_on_the_search_filters_document():
    migration = __import__(
        "properties.migrations.0002_price_change_trigger_and_search_index",
        fromlist=["search_index"],
    )

    assert migration.search_index().expressions == (search_vector(),)
