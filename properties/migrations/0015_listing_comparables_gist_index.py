"""On PostgreSQL, a GiST index that finds a listing's comparables near it.

A valuation asks, circle by circle, for the nearest sold (then active)
listings of one property type within ±30 % of a living area. With only the
point index, PostgreSQL intersected the circle with the status/type and
living-area indexes, whose parts grow with the table (5.7 ms at 1M listings
against 0.9 ms at 100k). This index holds the point with those three
columns (btree_gist), so one scan finds the circle's comparables alone:
0.6 ms at 100k, 0.9 ms at 1M (bench/RESULTS.md). SQLite has no such index.
"""

from django.contrib.postgres.indexes import GistIndex
from django.db import migrations
from django.db.models import F

from properties import geo

INDEX_NAME = "property_comparables_gist_idx"


def comparables_index():
    # Must stay what properties.valuation filters on (a test checks the plan).
    return GistIndex(
        geo.earth_point(), F("status"), F("property_type"), F("living_area"), name=INDEX_NAME
    )


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        # Building it over a million listings outlasts a request's statement
        # timeout (DATABASE_STATEMENT_TIMEOUT_MS); the migration's transaction may.
        schema_editor.execute("SET LOCAL statement_timeout = 0")
        schema_editor.add_index(apps.get_model("properties", "Property"), comparables_index())


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("properties", "Property"), comparables_index())


class Migration(migrations.Migration):
    dependencies = [("properties", "0014_merge_mls_source_and_earth_point")]

    operations = [migrations.RunPython(create_index, drop_index)]
