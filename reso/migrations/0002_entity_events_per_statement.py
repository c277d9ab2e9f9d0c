"""PostgreSQL appends entity events once per statement, not once per row (issue 16).

The rule's triggers changed names (one per event: a trigger with transition tables
takes one event), so the rule cannot replace the per-row trigger and its function
itself: they are dropped here, then the rule is installed as defined today.
Reversed, the rule stays as it is: reso 0001 still asks for it, and the per-row SQL
exists nowhere to restore.
"""

from django.conf import settings
from django.db import migrations

from properties import database_rules

SERVED = ("properties.Property", "properties.PropertyPhoto", "properties.OpenHouse",
          "users.Office", settings.AUTH_USER_MODEL)  # fmt: skip


def drop_row_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for label in SERVED:
        table = apps.get_model(label)._meta.db_table
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_entity_event ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS reso_entity_event()")


class Migration(migrations.Migration):
    dependencies = [
        ("reso", "0001_entity_event_and_lookup"),
    ]

    operations = [
        migrations.RunPython(drop_row_triggers, migrations.RunPython.noop),
        migrations.RunPython(
            database_rules.install_operation("entity_events").code, migrations.RunPython.noop
        ),
    ]
