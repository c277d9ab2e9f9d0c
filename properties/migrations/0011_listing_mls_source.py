"""Listings replicated from an MLS source: its id and ListingKey, unique together.

SQLite rebuilds the listing table for these changes, which drops its triggers
and fails on other tables' triggers that name it. ``migrate`` lifts the
database rules first (``database_rules.before_migrate``); a migration run by
other means (``MigrationExecutor`` in tests) is protected by the first and
last steps here, which set those triggers aside and put them back.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

LISTING_TABLE = "properties_property"
_saved_sqlite_triggers = []


def sqlite_triggers_save(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE %s",
            [f"%{LISTING_TABLE}%"],
        )
        _saved_sqlite_triggers[:] = cursor.fetchall()
    for name, _sql in _saved_sqlite_triggers:
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def sqlite_triggers_restore(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {name for (name,) in cursor.fetchall()}
    for name, sql in _saved_sqlite_triggers:
        if name not in present:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("mls", "0001_initial"),
        ("properties", "0010_listing_change"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(sqlite_triggers_save, sqlite_triggers_restore, elidable=False),
        migrations.AddField(
            model_name="property",
            name="mls_source",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="listings",
                to="mls.mlssource",
            ),
        ),
        migrations.AddField(
            model_name="property",
            name="source_key",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                max_length=255,
                verbose_name="source ListingKey",
            ),
        ),
        migrations.AddConstraint(
            model_name="property",
            constraint=models.UniqueConstraint(
                fields=("mls_source", "source_key"), name="property_source_key_unique"
            ),
        ),
        migrations.RunPython(sqlite_triggers_restore, sqlite_triggers_save, elidable=False),
    ]
