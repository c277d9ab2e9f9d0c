"""A listing's photo count and primary photo as columns the database keeps.

Every list and detail response shows both. As correlated subqueries they cost
PostgreSQL two probes per row and Django a slow query to build on every
request; as columns they are read with the row.

Two kinds of triggers keep them, on PostgreSQL and SQLite alike:

* on ``properties_property``, a guard: any statement that writes
  ``photo_total`` or ``primary_photo_image`` stores the values recomputed from
  the photos instead of the ones it wrote. A full-row ``save()`` of an instance
  loaded before a photo was added, ``bulk_update`` or raw SQL therefore cannot
  leave them stale. An INSERT with anything but "no photos" is corrected too.
* on ``properties_propertyphoto``, insert, delete and an update of
  ``property_id``, ``position`` or ``image`` write the affected listings'
  columns (both listings when a photo moves), which makes the guard recompute
  them. The rule for the values is therefore written once per database.

The primary photo is the one with the lowest (position, id), as
``PropertyPhoto.Meta.ordering`` says; ``photo_order_idx`` answers both
lookups.

The migration is not atomic, so that filling in existing listings does not
lock the table: that UPDATE rewrites every listing with photos and all 19 of
its indexes (the full-text one recomputes its document), ~9 s for 20,000
listings, during which an ALTER TABLE's lock would stop every read. Instead
the columns and the triggers are created in one short transaction, then
existing listings are filled in by id range, a transaction each; the
triggers already keep every photo written meanwhile, and the guard recomputes
each filled-in row once it holds the row's lock, so a concurrent photo write
cannot be lost. Run again after an interruption, it skips the first step
(columns present means triggers present: they commit together) and fills in
everything again.
"""

from django.db import migrations, models

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

POSTGRES_TRIGGERS = """
CREATE OR REPLACE FUNCTION properties_listing_photo_summary() RETURNS trigger AS $$
BEGIN
    NEW.photo_total := {0};
    NEW.primary_photo_image := {1};
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

-- No WHEN clause: the photo triggers below rely on a same-value write firing it.
CREATE TRIGGER properties_property_photo_summary_update
BEFORE UPDATE OF photo_total, primary_photo_image ON properties_property
FOR EACH ROW EXECUTE FUNCTION properties_listing_photo_summary();

-- A new listing has no photos; only an insert that claims otherwise pays the lookups.
CREATE TRIGGER properties_property_photo_summary_insert
BEFORE INSERT ON properties_property
FOR EACH ROW WHEN (NEW.photo_total <> 0 OR NEW.primary_photo_image <> '')
EXECUTE FUNCTION properties_listing_photo_summary();

CREATE OR REPLACE FUNCTION properties_photo_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        UPDATE properties_property SET photo_total = photo_total WHERE id = NEW.property_id;
    END IF;
    IF TG_OP = 'DELETE' THEN
        UPDATE properties_property SET photo_total = photo_total WHERE id = OLD.property_id;
    ELSIF TG_OP = 'UPDATE' AND OLD.property_id <> NEW.property_id THEN
        UPDATE properties_property SET photo_total = photo_total WHERE id = OLD.property_id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER properties_propertyphoto_summary_insert_delete
AFTER INSERT OR DELETE ON properties_propertyphoto
FOR EACH ROW EXECUTE FUNCTION properties_photo_changed();

CREATE TRIGGER properties_propertyphoto_summary_update
AFTER UPDATE OF property_id, position, image ON properties_propertyphoto
FOR EACH ROW WHEN (
    OLD.property_id IS DISTINCT FROM NEW.property_id
    OR OLD.position IS DISTINCT FROM NEW.position
    OR OLD.image IS DISTINCT FROM NEW.image
)
EXECUTE FUNCTION properties_photo_changed();
""".format(*summary_of("NEW.id"))

POSTGRES_TRIGGERS_DROP = """
DROP TRIGGER IF EXISTS properties_propertyphoto_summary_update ON properties_propertyphoto;
DROP TRIGGER IF EXISTS properties_propertyphoto_summary_insert_delete ON properties_propertyphoto;
DROP FUNCTION IF EXISTS properties_photo_changed();
DROP TRIGGER IF EXISTS properties_property_photo_summary_insert ON properties_property;
DROP TRIGGER IF EXISTS properties_property_photo_summary_update ON properties_property;
DROP FUNCTION IF EXISTS properties_listing_photo_summary();
"""

# SQLite triggers cannot assign NEW, so the guard runs AFTER the write and
# corrects the row with a second UPDATE. That UPDATE does not fire the guard
# again: SQLite's recursive_triggers is off (the default, which Django keeps),
# and were it on, the WHEN clause would find the row right and stop there.
SQLITE_TRIGGERS = [
    """
CREATE TRIGGER properties_property_photo_summary_update
AFTER UPDATE OF photo_total, primary_photo_image ON properties_property
FOR EACH ROW WHEN NEW.photo_total IS NOT {0} OR NEW.primary_photo_image IS NOT {1}
BEGIN
    UPDATE properties_property SET photo_total = {0}, primary_photo_image = {1}
    WHERE id = NEW.id;
END;
""".format(*summary_of("NEW.id")),
    """
CREATE TRIGGER properties_property_photo_summary_insert
AFTER INSERT ON properties_property
FOR EACH ROW WHEN NEW.photo_total <> 0 OR NEW.primary_photo_image <> ''
BEGIN
    UPDATE properties_property SET photo_total = {0}, primary_photo_image = {1}
    WHERE id = NEW.id;
END;
""".format(*summary_of("NEW.id")),
    """
CREATE TRIGGER properties_propertyphoto_summary_insert
AFTER INSERT ON properties_propertyphoto
FOR EACH ROW
BEGIN
    UPDATE properties_property SET photo_total = photo_total WHERE id = NEW.property_id;
END;
""",
    """
CREATE TRIGGER properties_propertyphoto_summary_delete
AFTER DELETE ON properties_propertyphoto
FOR EACH ROW
BEGIN
    UPDATE properties_property SET photo_total = photo_total WHERE id = OLD.property_id;
END;
""",
    """
CREATE TRIGGER properties_propertyphoto_summary_update
AFTER UPDATE OF property_id, position, image ON properties_propertyphoto
FOR EACH ROW WHEN OLD.property_id IS NOT NEW.property_id
    OR OLD.position IS NOT NEW.position
    OR OLD.image IS NOT NEW.image
BEGIN
    UPDATE properties_property SET photo_total = photo_total
    WHERE id IN (OLD.property_id, NEW.property_id);
END;
""",
]

SQLITE_TRIGGER_NAMES = [
    "properties_propertyphoto_summary_update",
    "properties_propertyphoto_summary_delete",
    "properties_propertyphoto_summary_insert",
    "properties_property_photo_summary_insert",
    "properties_property_photo_summary_update",
]


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
        # Django's SQLite add_field rebuilds the table for a NOT NULL column, and
        # the rebuilt table would lose its triggers (0002's price history). SQLite
        # adds a column with a constant default in place.
        definition, params = schema_editor.column_sql(listing, field)
        check = field.db_parameters(connection=schema_editor.connection)["check"]
        if check:
            definition += " " + schema_editor.sql_check_constraint % {"check": check}
        schema_editor.execute(
            f"ALTER TABLE {quote(listing._meta.db_table)} ADD COLUMN {quote(field.column)} "
            f"{definition}",
            params,
        )


def create_columns_and_triggers(apps, schema_editor):
    listing = apps.get_model("properties", "Property")
    if summary_columns_exist(schema_editor, listing._meta.db_table):
        return  # an earlier run was interrupted while filling in
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"No photo summary triggers for the {vendor} database.")
    add_columns(schema_editor, listing)
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_TRIGGERS)
    else:
        for trigger in SQLITE_TRIGGERS:
            schema_editor.execute(trigger)


def drop_triggers_and_columns(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_TRIGGERS_DROP)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGER_NAMES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")
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
        migrations.RunPython(
            create_columns_and_triggers, drop_triggers_and_columns, atomic=True
        ),
        migrations.RunPython(fill_in, migrations.RunPython.noop, atomic=False),
    ]
