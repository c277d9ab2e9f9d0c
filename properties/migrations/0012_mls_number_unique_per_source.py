"""MLS numbers unique per MLS: within one source's listings, or among local ones.

Two sources may both serve a ListingId, and a source may serve one a local
listing already has. ``mls_scope`` (the source's id, 0 for local listings) is a
stored generated column so that the unique index (mls_scope, mls_number) is an
ordinary one, the key local imports upsert on. SQLite rebuilds the listing table
for these changes: its triggers are set aside and put back (``database_rules.sqlite_triggers_aside``).
"""

import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models

import properties.validators
from properties import database_rules

TRIGGERS_SET_ASIDE, TRIGGERS_PUT_BACK = database_rules.sqlite_triggers_aside(
    "properties_property"
)


class Migration(migrations.Migration):
    dependencies = [
        ("mls", "0001_initial"),
        ("properties", "0011_listing_mls_source"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        TRIGGERS_SET_ASIDE,
        migrations.AddField(
            model_name="property",
            name="mls_scope",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.comparison.Coalesce(
                    models.F("mls_source"), models.Value(0)
                ),
                output_field=models.BigIntegerField(),
                verbose_name="MLS number scope",
            ),
        ),
        migrations.AlterField(
            model_name="property",
            name="mls_number",
            field=models.CharField(
                blank=True,
                db_index=True,
                help_text="Left blank, one is generated: H followed by the zero-padded id.",
                max_length=32,
                null=True,
                validators=[properties.validators.validate_mls_number],
                verbose_name="MLS number",
            ),
        ),
        migrations.AddConstraint(
            model_name="property",
            constraint=models.UniqueConstraint(
                fields=("mls_scope", "mls_number"), name="property_mls_number_unique_per_source"
            ),
        ),
        TRIGGERS_PUT_BACK,
    ]
