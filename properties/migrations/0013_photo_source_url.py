"""Photos referenced by their MLS's URL (SPEC 7): an upload or a source URL, never both.

SQLite rebuilds the photo table here: its triggers are set aside and put back as in
0011, then the photo_summary rule, which now reads source_url, is installed anew.
"""

from django.db import migrations, models

import properties.models
from properties import database_rules

TRIGGERS_SET_ASIDE, TRIGGERS_PUT_BACK = database_rules.sqlite_triggers_aside(
    "properties_property"
)


class Migration(migrations.Migration):
    dependencies = [
        ("properties", "0012_mls_number_unique_per_source"),
    ]

    operations = [
        TRIGGERS_SET_ASIDE,
        migrations.AddField(
            model_name="propertyphoto",
            name="source_url",
            field=models.URLField(
                blank=True,
                db_default="",
                default="",
                editable=False,
                help_text="Where the listing's MLS serves the photo (replicated listings).",
                max_length=2000,
                verbose_name="source URL",
            ),
        ),
        migrations.AlterField(
            model_name="propertyphoto",
            name="image",
            field=models.ImageField(
                blank=True,
                height_field="height",
                upload_to=properties.models.photo_upload_to,
                width_field="width",
            ),
        ),
        migrations.AddConstraint(
            model_name="propertyphoto",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("image", ""), models.Q(("source_url", ""), _negated=True)),
                    models.Q(models.Q(("image", ""), _negated=True), ("source_url", "")),
                    _connector="OR",
                ),
                name="photo_image_or_source_url",
                violation_error_message="A photo is an uploaded image or an MLS's URL, not both.",
            ),
        ),
        TRIGGERS_PUT_BACK,
        # The photo_summary rule now reads source_url: installed as defined today (and
        # dropped when this is reversed: its SQL does not fit the older table).
        database_rules.install_operation("photo_summary"),
    ]
