"""Database-side rules that no write path can skip.

* A trigger records a PriceChange row whenever a listing's price changes:
  ``save()``, ``QuerySet.update()``, bulk upserts and raw SQL all pass through it.
* On PostgreSQL, a GIN index on the full-text search document, built from the
  same expression the ``search`` filter queries so the planner can use it, and
  trigram indexes that let the ``location`` substring filter (``UPPER(col) LIKE
  UPPER('%...%')``) use an index instead of scanning every listing.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

SEARCH_INDEX_NAME = "property_search_gin_idx"

POSTGRES_TRIGGER = """
CREATE OR REPLACE FUNCTION properties_record_price_change() RETURNS trigger AS $$
BEGIN
    INSERT INTO properties_pricechange (property_id, old_price, new_price, changed_at)
    VALUES (NEW.id, OLD.price, NEW.price, now());
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER properties_property_price_change
AFTER UPDATE OF price ON properties_property
FOR EACH ROW WHEN (OLD.price IS DISTINCT FROM NEW.price)
EXECUTE FUNCTION properties_record_price_change();
"""

# pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
POSTGRES_TRIGRAM_INDEXES = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX property_street_address_trgm_idx ON properties_property
    USING gin (UPPER(street_address::text) gin_trgm_ops);
CREATE INDEX property_city_trgm_idx ON properties_property
    USING gin (UPPER(city::text) gin_trgm_ops);
CREATE INDEX property_postal_code_trgm_idx ON properties_property
    USING gin (UPPER(postal_code::text) gin_trgm_ops);
"""

POSTGRES_TRIGRAM_INDEXES_DROP = """
DROP INDEX IF EXISTS property_street_address_trgm_idx;
DROP INDEX IF EXISTS property_city_trgm_idx;
DROP INDEX IF EXISTS property_postal_code_trgm_idx;
"""

POSTGRES_TRIGGER_DROP = """
DROP TRIGGER IF EXISTS properties_property_price_change ON properties_property;
DROP FUNCTION IF EXISTS properties_record_price_change();
"""

SQLITE_TRIGGER = """
CREATE TRIGGER properties_property_price_change
AFTER UPDATE OF price ON properties_property
FOR EACH ROW WHEN OLD.price IS NOT NEW.price
BEGIN
    INSERT INTO properties_pricechange (property_id, old_price, new_price, changed_at)
    VALUES (NEW.id, OLD.price, NEW.price, strftime('%Y-%m-%d %H:%M:%f', 'now'));
END;
"""

SQLITE_TRIGGER_DROP = "DROP TRIGGER IF EXISTS properties_property_price_change;"


def search_index():
    # Must stay identical to properties.querysets.search_vector().
    return GinIndex(
        SearchVector(
            "street_address", "city", "postal_code", "mls_number", "description", config="english"
        ),
        name=SEARCH_INDEX_NAME,
    )


def create_rules(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_TRIGGER)
        schema_editor.add_index(apps.get_model("properties", "Property"), search_index())
        schema_editor.execute(POSTGRES_TRIGRAM_INDEXES)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)
    else:
        raise NotImplementedError(f"No price-change trigger for the {vendor} database.")


def drop_rules(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_TRIGRAM_INDEXES_DROP)
        schema_editor.remove_index(apps.get_model("properties", "Property"), search_index())
        schema_editor.execute(POSTGRES_TRIGGER_DROP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER_DROP)


class Migration(migrations.Migration):
    dependencies = [("properties", "0001_initial")]

    operations = [migrations.RunPython(create_rules, drop_rules)]
