"""Joins two migrations written side by side: per-source MLS numbers and the near= index."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("properties", "0012_listing_earth_point_gist_index"),
        ("properties", "0012_mls_number_unique_per_source"),
    ]

    operations = []
