"""Price history recorded by the database, and the search indexes.

* The ``price_history`` rule (``properties.database_rules``) records a
  PriceChange row whenever a listing's price changes, by any write path.
* On PostgreSQL, a GIN index on the full-text search document, built from the
  same expression the ``search`` filter queries so the planner can use it, and
  trigram indexes that let the ``location`` substring filter (``UPPER(col) LIKE
  UPPER('%...%')``) use an index instead of scanning every listing.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

from properties import database_rules

SEARCH_INDEX_NAME = "property_search_gin_idx"

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

def search_index():
    # Must stay identical to properties.querysets.search_vector() (a test compares them).
    return GinIndex(
        SearchVector(
            "street_address", "city", "postal_code", "mls_number", "description", config="english"
        ),
        name=SEARCH_INDEX_NAME,
    )


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("properties", "Property"), search_index())
        schema_editor.execute(POSTGRES_TRIGRAM_INDEXES)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_TRIGRAM_INDEXES_DROP)
        schema_editor.remove_index(apps.get_model("properties", "Property"), search_index())


class Migration(migrations.Migration):
    dependencies = [("properties", "0001_initial")]

    operations = [
        database_rules.install_operation("price_history"),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
