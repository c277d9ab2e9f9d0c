"""On PostgreSQL, a GiST index on each listing's point on the unit sphere (``cube``).

``near=`` orders listings by distance: with this index PostgreSQL walks from
the point outwards and stops after the page (``properties.geo.nearest_first``)
instead of computing and sorting the distance of every listing in the bounding
box, which grew tenfold from 100k to 1M listings. cube is a trusted extension
and btree_gist (the id, the tie-breaker, in the same index) are trusted
extensions (PostgreSQL 13+): the database owner may create them. SQLite keeps the plain
distance ordering.
"""

from django.contrib.postgres.indexes import GistIndex
from django.db import migrations

from properties import geo

INDEX_NAME = "property_earth_point_gist_idx"


def earth_point_index():
    # Must stay what geo.nearest_first() orders by (a test checks the plan).
    return GistIndex(geo.earth_point(), geo.index_id(), name=INDEX_NAME)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS cube")
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        schema_editor.add_index(apps.get_model("properties", "Property"), earth_point_index())


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("properties", "Property"), earth_point_index())


class Migration(migrations.Migration):
    dependencies = [("properties", "0011_listing_mls_source")]

    operations = [migrations.RunPython(create_index, drop_index)]
