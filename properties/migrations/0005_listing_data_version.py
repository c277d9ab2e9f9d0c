"""The listing data version: one row whose token every change to listing data replaces.

Cached listing responses (``properties.caching``) are keyed by the token. The
``listing_data_version`` rule of ``properties.database_rules`` replaces it,
whatever the write path; the module says how and why.
"""

from django.conf import settings
from django.db import migrations, models

from properties import database_rules


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
        database_rules.install_operation("listing_data_version"),
    ]
