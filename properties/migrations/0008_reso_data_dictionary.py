"""What RESO Data Dictionary 2.0 needs and listings lacked; open houses.

* ``bathrooms`` becomes a generated column (full + ½ × half) over the new
  ``bathrooms_full`` and ``bathrooms_half``; existing totals are split first
  (2.5 → 2 full + 1 half; a total with any other fraction, which Hearth's
  forms never produced, keeps its whole baths and gets one half bath).
  Going back writes the totals from the counts again.
* ``lot_size`` becomes a decimal (square feet with two places: 5227.2).
  Going back rounds it to whole square feet.
* ``original_list_price`` is filled from the oldest price change's old price
  (else the price), ``price_changed_at`` from the latest price change and
  ``photos_changed_at`` from the newest photo; ``status_changed_at`` stays
  empty where the history cannot tell.
* Two database rules start here (``properties.database_rules``):
  ``open_house_data_version`` (cached lists follow open house writes, which
  the ``open_house_after`` filter reads) and ``listing_change_times`` (RESO's
  status, price and photo change timestamps, on every write path).
* SQLite rebuilds a table to change a column's type, which drops the table's
  triggers and fails on other tables' triggers that name it. ``migrate`` lifts
  the rules first (``database_rules.before_migrate``); a migration run by other
  means (``MigrationExecutor`` in tests) is protected by the first and last
  steps here, which set those triggers aside and put them back.
"""

import django.core.validators
import django.db.models.deletion
import django.db.models.expressions
import django.db.models.functions.comparison
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models

from properties import database_rules


LISTING_TABLE = "properties_property"
NEW_RULES = ("open_house_data_version", "listing_change_times")
TRIGGERS_SET_ASIDE, TRIGGERS_PUT_BACK = database_rules.sqlite_triggers_aside(
    LISTING_TABLE, own_rules=NEW_RULES
)


def _floor(vendor, column):
    # PostgreSQL's CAST rounds 2.5 to 3; FLOOR is what a split needs. SQLite's CAST truncates.
    return f"FLOOR({column})" if vendor == "postgresql" else f"CAST({column} AS INTEGER)"


def listings_fill(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    whole = _floor(vendor, "bathrooms")
    schema_editor.execute(
        f"""
        UPDATE {LISTING_TABLE} SET
            bathrooms_full = {whole},
            bathrooms_half = CASE WHEN bathrooms IS NULL THEN NULL
                                  WHEN bathrooms > {whole} THEN 1 ELSE 0 END,
            original_list_price = COALESCE(
                (SELECT old_price FROM properties_pricechange
                 WHERE property_id = {LISTING_TABLE}.id ORDER BY changed_at, id LIMIT 1),
                price),
            price_changed_at = (SELECT MAX(changed_at) FROM properties_pricechange
                                WHERE property_id = {LISTING_TABLE}.id),
            photos_changed_at = (SELECT MAX(created_at) FROM properties_propertyphoto
                                 WHERE property_id = {LISTING_TABLE}.id)
        """
    )


def bathrooms_restore(apps, schema_editor):
    schema_editor.execute(
        f"UPDATE {LISTING_TABLE} SET bathrooms = CASE "
        "WHEN bathrooms_full IS NULL AND bathrooms_half IS NULL THEN NULL "
        "ELSE COALESCE(bathrooms_full, 0) + COALESCE(bathrooms_half, 0) * 0.5 END"
    )


class AddStoredGeneratedField(migrations.AddField):
    """``AddField`` that rebuilds the table on SQLite, which cannot ALTER in a STORED column.

    Django only rebuilds for a NOT NULL column; ``bathrooms`` may be NULL.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        to_model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, to_model):
            from_model = from_state.apps.get_model(app_label, self.model_name)
            field = to_model._meta.get_field(self.name)
            schema_editor._remake_table(from_model, create_field=field)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        from_model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, from_model):
            field = from_model._meta.get_field(self.name)
            schema_editor._remake_table(from_model, delete_field=field)


class Migration(migrations.Migration):
    dependencies = [
        ("properties", "0007_listing_archive"),
        ("users", "0005_office"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        TRIGGERS_SET_ASIDE,
        migrations.CreateModel(
            name="OpenHouse",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField()),
                ("start_time", models.TimeField()),
                ("end_time", models.TimeField()),
                (
                    "type",
                    models.CharField(
                        choices=[("public", "Public"), ("broker", "Broker")],
                        default="public",
                        max_length=16,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("active", "Active"),
                            ("canceled", "Canceled"),
                            ("ended", "Ended"),
                        ],
                        default="active",
                        max_length=16,
                    ),
                ),
                ("remarks", models.TextField(blank=True, max_length=500)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "open house",
                "ordering": ["date", "start_time", "id"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="property",
            name="property_bathrooms_non_negative",
        ),
        migrations.RemoveIndex(
            model_name="property",
            name="property_status_idx",
        ),
        migrations.AddField(
            model_name="property",
            name="bathrooms_full",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[django.core.validators.MaxValueValidator(99)],
                verbose_name="full bathrooms",
            ),
        ),
        migrations.AddField(
            model_name="property",
            name="bathrooms_half",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[django.core.validators.MaxValueValidator(99)],
                verbose_name="half bathrooms",
            ),
        ),
        migrations.AddField(
            model_name="property",
            name="internet_display",
            field=models.BooleanField(
                db_default=True,
                default=True,
                help_text="Off when the MLS forbids publishing the listing: only its agent and staff see it then.",
                verbose_name="display on the internet",
            ),
        ),
        migrations.AddField(
            model_name="property",
            name="original_list_price",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="The asking price when first listed; defaults to the price at creation.",
                max_digits=14,
                null=True,
                validators=[django.core.validators.MinValueValidator(Decimal("0.01"))],
            ),
        ),
        migrations.AddField(
            model_name="property",
            name="originating_system",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text="The MLS the listing came from (RESO OriginatingSystemName); blank: Hearth.",
                max_length=255,
            ),
        ),
        migrations.AddField(
            model_name="property",
            name="photos_changed_at",
            field=models.DateTimeField(
                blank=True, help_text="When a photo was last added, changed or removed.", null=True
            ),
        ),
        migrations.AddField(
            model_name="property",
            name="price_changed_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the asking price last changed; null if never.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="property",
            name="status_changed_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the status last changed (or the listing was made).",
                null=True,
            ),
        ),
        migrations.RunPython(listings_fill, bathrooms_restore, elidable=False),
        migrations.RemoveField(model_name="property", name="bathrooms"),
        AddStoredGeneratedField(
            model_name="property",
            name="bathrooms",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Case(
                    models.When(
                        models.Q(
                            ("bathrooms_full__isnull", True), ("bathrooms_half__isnull", True)
                        ),
                        then=models.Value(None),
                    ),
                    default=django.db.models.expressions.CombinedExpression(
                        django.db.models.functions.comparison.Coalesce(
                            models.F("bathrooms_full"), 0
                        ),
                        "+",
                        django.db.models.expressions.CombinedExpression(
                            django.db.models.functions.comparison.Coalesce(
                                models.F("bathrooms_half"), 0
                            ),
                            "*",
                            models.Value(Decimal("0.5")),
                        ),
                    ),
                    output_field=models.DecimalField(decimal_places=1, max_digits=4),
                ),
                null=True,
                output_field=models.DecimalField(decimal_places=1, max_digits=4),
                verbose_name="bathrooms (full + ½ half)",
            ),
        ),
        migrations.AlterField(
            model_name="property",
            name="lot_size",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=16,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0.01")),
                    django.core.validators.MaxValueValidator(2000000000),
                ],
                verbose_name="lot size (sq ft)",
            ),
        ),
        migrations.AddIndex(
            model_name="property",
            index=models.Index(
                condition=models.Q(("archived_at__isnull", True), ("internet_display", True)),
                fields=["status"],
                name="property_status_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="property",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("original_list_price__isnull", True),
                    ("original_list_price__gt", 0),
                    _connector="OR",
                ),
                name="property_original_list_price_positive",
            ),
        ),
        migrations.AddField(
            model_name="openhouse",
            name="property",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="open_houses",
                to="properties.property",
            ),
        ),
        migrations.AddIndex(
            model_name="openhouse",
            index=models.Index(fields=["property", "date"], name="open_house_property_date_idx"),
        ),
        migrations.AddIndex(
            model_name="openhouse",
            index=models.Index(fields=["status", "date"], name="open_house_status_date_idx"),
        ),
        migrations.AddIndex(
            model_name="openhouse",
            index=models.Index(fields=["updated_at", "id"], name="open_house_updated_at_id_idx"),
        ),
        migrations.AddConstraint(
            model_name="openhouse",
            constraint=models.CheckConstraint(
                condition=models.Q(("end_time__gt", models.F("start_time"))),
                name="open_house_ends_after_start",
            ),
        ),
        migrations.AddConstraint(
            model_name="openhouse",
            constraint=models.CheckConstraint(
                condition=models.Q(("type__in", ["public", "broker"])), name="open_house_type_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="openhouse",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["active", "canceled", "ended"])),
                name="open_house_status_valid",
            ),
        ),
        database_rules.install_operation(*NEW_RULES),
        TRIGGERS_PUT_BACK,
    ]
