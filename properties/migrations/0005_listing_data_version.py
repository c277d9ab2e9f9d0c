"""The listing data version: one row whose token every write to listing data replaces.

Cached listing responses (``properties.caching``) are keyed by the token, so
they must never outlive the data they were built from. Triggers, not Python
signals or service calls, because most write paths never run model code:
``QuerySet.update()`` (admin bulk actions), ``bulk_create`` and the COPY upsert
of ``import_listings``, deletion cascades, raw SQL. The covered tables are the
ones a listing response reads: listings, their photos (``primary_photo``,
``photo_count``) and users (the ``listing_agent`` object).

* PostgreSQL: a statement-level trigger per table notes the change (a row in
  ``properties_listingdatachange``), and a deferred constraint trigger on that
  row replaces the token when the transaction commits, then deletes the row.
  An import batch of 1,000 rows costs one note, not 1,000; and the version row
  is locked only while a transaction commits, so writers of different listings
  do not queue behind each other for their whole transaction, nor deadlock on
  it (a writer holding the version row while waiting for a listing that the
  other holds while waiting for the version row).
* Tests never commit: the test settings set ``hearth.listing_version_immediate``
  so the token is replaced at each statement instead (the same triggers).
* SQLite has only row-level triggers and locks the whole database for a write
  anyway; it is the developer's database.

The new token is random, not a counter: tests (and failed requests) roll
transactions back, and a counter would come back to a value whose cache
entries hold other data. The row is upserted, so a flushed table (TRUNCATE)
heals itself on the next write; until then readers find no token and cache
nothing.
"""

from django.conf import settings
from django.db import migrations, models

VERSION_TABLE = "properties_listingdataversion"
COVERED_MODELS = ["properties.Property", "properties.PropertyPhoto", settings.AUTH_USER_MODEL]
SQLITE_EVENTS = ["INSERT", "UPDATE", "DELETE"]

# The statement that gives the row a new random token, creating it if missing.
NEW_TOKEN = {
    vendor: f"INSERT INTO {VERSION_TABLE} (id, token) VALUES (1, {random_text}) "
    "ON CONFLICT (id) DO UPDATE SET token = excluded.token;"
    for vendor, random_text in [
        ("postgresql", "gen_random_uuid()::text"),
        ("sqlite", "lower(hex(randomblob(16)))"),
    ]
}

CHANGE_TABLE = "properties_listingdatachange"

POSTGRES_FUNCTIONS = f"""
CREATE TABLE {CHANGE_TABLE} (id bigserial PRIMARY KEY);

CREATE OR REPLACE FUNCTION properties_listing_data_changed() RETURNS trigger AS $$
BEGIN
    IF current_setting('hearth.listing_version_immediate', true) = 'on' THEN
        {NEW_TOKEN["postgresql"]}
    ELSE
        INSERT INTO {CHANGE_TABLE} DEFAULT VALUES;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION properties_listing_data_commit() RETURNS trigger AS $$
BEGIN
    DELETE FROM {CHANGE_TABLE} WHERE id = NEW.id;
    {NEW_TOKEN["postgresql"]}
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER {CHANGE_TABLE}_at_commit
AFTER INSERT ON {CHANGE_TABLE} DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION properties_listing_data_commit();
"""

POSTGRES_FUNCTIONS_DROP = f"""
DROP TABLE IF EXISTS {CHANGE_TABLE};
DROP FUNCTION IF EXISTS properties_listing_data_commit();
DROP FUNCTION IF EXISTS properties_listing_data_changed();
"""


def _trigger_name(table):
    return f"{table}_listing_data_version"


def _covered_tables(apps):
    return [apps.get_model(label)._meta.db_table for label in COVERED_MODELS]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    tables = _covered_tables(apps)
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTIONS)
        for table in tables:
            schema_editor.execute(
                f"CREATE TRIGGER {_trigger_name(table)} "
                f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION properties_listing_data_changed();"
            )
    elif vendor == "sqlite":
        for table in tables:
            for event in SQLITE_EVENTS:
                schema_editor.execute(
                    f"CREATE TRIGGER {_trigger_name(table)}_{event.lower()} "
                    f"AFTER {event} ON {table} FOR EACH ROW BEGIN {NEW_TOKEN['sqlite']} END;"
                )
    else:
        raise NotImplementedError(f"No listing data version triggers for the {vendor} database.")
    schema_editor.execute(NEW_TOKEN[vendor])


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    tables = _covered_tables(apps)
    if vendor == "postgresql":
        for table in tables:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {_trigger_name(table)} ON {table};")
        schema_editor.execute(POSTGRES_FUNCTIONS_DROP)
    elif vendor == "sqlite":
        for table in tables:
            for event in SQLITE_EVENTS:
                schema_editor.execute(
                    f"DROP TRIGGER IF EXISTS {_trigger_name(table)}_{event.lower()};"
                )


class Migration(migrations.Migration):
    dependencies = [
        ("properties", "0004_listing_photo_summary"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ListingDataVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=36)),
            ],
            options={"verbose_name": "listing data version"},
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
