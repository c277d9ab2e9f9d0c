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

from properties import database_rules

TRIGGERS_SET_ASIDE, TRIGGERS_PUT_BACK = database_rules.sqlite_triggers_aside(
    "properties_property"
)


class Migration(migrations.Migration):
    dependencies = [
        ("mls", "0001_initial"),
        ("properties", "0010_listing_change"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        TRIGGERS_SET_ASIDE,
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
        TRIGGERS_PUT_BACK,
    ]
