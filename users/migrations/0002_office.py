"""Offices (brokerages) replace the free-text ``User.brokerage``.

Every distinct brokerage name (trimmed, compared case-insensitively; the first
spelling met wins) becomes one ``Office``, and its users point to it. Going
back writes each user's office name into ``brokerage`` again, so the round
trip loses nothing but offices no one belongs to.
"""

import django.db.models.deletion
from django.db import migrations, models


def brokerages_to_offices(apps, schema_editor):
    User = apps.get_model("users", "User")
    Office = apps.get_model("users", "Office")
    offices = {}
    users = User.objects.exclude(brokerage="").only("id", "brokerage").order_by("id")
    for user in users.iterator(chunk_size=2000):
        name = " ".join(user.brokerage.split())
        if not name:
            continue
        office = offices.get(name.lower())
        if office is None:
            office = offices[name.lower()] = Office.objects.create(name=name)
        User.objects.filter(pk=user.pk).update(office=office)


def offices_to_brokerages(apps, schema_editor):
    User = apps.get_model("users", "User")
    Office = apps.get_model("users", "Office")
    for office in Office.objects.only("id", "name").iterator(chunk_size=2000):
        User.objects.filter(office=office).update(brokerage=office.name[:255])


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Office",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=255)),
                ("phone", models.CharField(blank=True, max_length=32)),
                ("email", models.EmailField(blank=True, max_length=254)),
                ("street_address", models.CharField(blank=True, max_length=255)),
                ("city", models.CharField(blank=True, max_length=100)),
                ("state", models.CharField(blank=True, max_length=64)),
                ("postal_code", models.CharField(blank=True, max_length=20)),
                (
                    "country",
                    models.CharField(
                        default="US", help_text="ISO 3166-1 alpha-2 code.", max_length=2
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "ordering": ["name", "id"],
                "indexes": [
                    models.Index(fields=["updated_at", "id"], name="office_updated_at_id_idx")
                ],
            },
        ),
        migrations.AddField(
            model_name="user",
            name="office",
            field=models.ForeignKey(
                blank=True,
                help_text="The brokerage the agent works for.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="members",
                to="users.office",
            ),
        ),
        migrations.RunPython(brokerages_to_offices, offices_to_brokerages, elidable=False),
        migrations.RemoveField(model_name="user", name="brokerage"),
    ]
