"""A listing's photo count and primary photo as columns the database keeps.

Every list and detail response shows both. As correlated subqueries they cost
PostgreSQL two probes per row and Django a slow query to build on every
request; as columns they are read with the row.

The ``photo_summary`` rule of ``properties.database_rules`` keeps them, on
PostgreSQL and SQLite alike, whatever writes the photos or the listing.

The migration is not atomic, so that filling in existing listings does not
lock the table: that UPDATE rewrites every listing with photos and all 19 of
its indexes (the full-text one recomputes its document), ~9 s for 20,000
listings, during which an ALTER TABLE's lock would stop every read. Instead
the columns and the rule's triggers are created in one short transaction, then
existing listings are filled in by id range, a transaction each; the
triggers already keep every photo written meanwhile, and the guard recomputes
each filled-in row once it holds the row's lock, so a concurrent photo write
cannot be lost. Run again after an interruption, it skips the first step
(columns present means triggers present: they commit together) and fills in
everything again.
"""

from django.db import migrations, models

from properties import database_rules

PHOTO_TOTAL = "(SELECT COUNT(*) FROM properties_propertyphoto WHERE property_id = {listing})"
PRIMARY_PHOTO_IMAGE = (
    "COALESCE((SELECT image FROM properties_propertyphoto WHERE property_id = {listing} "
    "ORDER BY position, id LIMIT 1), '')"
)


def summary_of(listing):
    return PHOTO_TOTAL.format(listing=listing), PRIMARY_PHOTO_IMAGE.format(listing=listing)


# The listings with photos among ids [%s, %s).
BACKFILL = """
UPDATE properties_property
SET photo_total = {0}, primary_photo_image = {1}
WHERE id IN (
    SELECT property_id FROM properties_propertyphoto WHERE property_id >= %s AND property_id < %s
)
""".format(*summary_of("properties_property.id"))

BACKFILL_BATCH_IDS = 10_000


def summary_columns_exist(schema_editor, table) -> bool:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, table)
    return any(column.name == "photo_total" for column in columns)


def add_columns(schema_editor, listing):
    quote = schema_editor.quote_name
    for name in ("photo_total", "primary_photo_image"):
        field = listing._meta.get_field(name)
        if schema_editor.connection.vendor != "sqlite":
            schema_editor.add_field(listing, field)
            continue
        # Django's SQLite add_field rebuilds the table for a NOT NULL column and
        # fills existing rows of this db_default column with its name as a string.
        # SQLite adds a column with a constant default in place.
        definition, params = schema_editor.column_sql(listing, field)
        check = field.db_parameters(connection=schema_editor.connection)["check"]
        if check:
            definition += " " + schema_editor.sql_check_constraint % {"check": check}
        schema_editor.execute(
            f"ALTER TABLE {quote(listing._meta.db_table)} ADD COLUMN {quote(field.column)} "
            f"{definition}",
            params,
        )


def create_columns_and_rule(apps, schema_editor):
    listing = apps.get_model("properties", "Property")
    if summary_columns_exist(schema_editor, listing._meta.db_table):
        return  # an earlier run was interrupted while filling in
    add_columns(schema_editor, listing)
    database_rules.install_operation("photo_summary").code(apps, schema_editor)


def drop_rule_and_columns(apps, schema_editor):
    database_rules.install_operation("photo_summary").reverse_code(apps, schema_editor)
    listing = apps.get_model("properties", "Property")
    for name in ("primary_photo_image", "photo_total"):
        schema_editor.remove_field(listing, listing._meta.get_field(name))


def fill_in(apps, schema_editor):
    # Outside a transaction (RunPython atomic=False), each batch commits on its own.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT MIN(property_id), MAX(property_id) FROM properties_propertyphoto")
        first, last = cursor.fetchone()
    if first is None:
        return
    for start in range(first, last + 1, BACKFILL_BATCH_IDS):
        schema_editor.execute(BACKFILL, (start, start + BACKFILL_BATCH_IDS))


class Migration(migrations.Migration):
    atomic = False  # see the module's docstring

    dependencies = [("properties", "0003_property_status_idx")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="property",
                    name="photo_total",
                    field=models.PositiveIntegerField(db_default=0, default=0, editable=False),
                ),
                migrations.AddField(
                    model_name="property",
                    name="primary_photo_image",
                    field=models.TextField(
                        blank=True,
                        db_default="",
                        default="",
                        editable=False,
                        help_text=(
                            "The image path of the photo with the lowest (position, id); "
                            "blank without one."
                        ),
                    ),
                ),
            ]
        ),
        migrations.RunPython(create_columns_and_rule, drop_rule_and_columns, atomic=True),
        migrations.RunPython(fill_in, migrations.RunPython.noop, atomic=False),
    ]
