"""Joins two lines of migrations written side by side: MLS sources (per-source MLS
numbers, photos by URL) and the near= GiST index."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("properties", "0012_listing_earth_point_gist_index"),
        ("properties", "0013_photo_source_url"),
    ]

    operations = []
