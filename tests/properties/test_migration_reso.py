"""The DD 2.0 migrations on existing data: nothing lost forwards, nothing lost backwards."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from properties.models import PriceChange, Property
from users.models import Office, User

BEFORE = [("properties", "0007_listing_archive"), ("users", "0004_token_version")]
# Up to the latest listing migration: the model the checks read has every later column too.
AFTER = [("properties", "0013_photo_source_url"), ("users", "0005_office")]
UTC = datetime.UTC


def _listing(model, mls_number, **fields):
    values = {
        "mls_number": mls_number,
        "status": "active",
        "property_type": "residential",
        "street_address": "1 Oak St",
        "city": "Austin",
        "state": "TX",
        "postal_code": "78701",
        "price": Decimal("500000.00"),
        "listed_at": datetime.date(2026, 1, 5),
    }
    values.update(fields)
    return model.objects.create(**values)


@pytest.mark.django_db(transaction=True)
def test_the_dd_migrations_keep_every_value_both_ways():
    executor = MigrationExecutor(connection)
    try:
        # Given data written before offices and bathroom counts existed
        executor.migrate(BEFORE)
        apps = executor.loader.project_state(BEFORE).apps
        old_user, old_listing = (
            apps.get_model("users", "User"),
            apps.get_model("properties", "Property"),
        )
        acme = old_user.objects.create(
            username="a", username_skeleton="a", email="a@x.com", brokerage="Acme Realty"
        )
        acme_again = old_user.objects.create(
            username="b", username_skeleton="b", email="b@x.com", brokerage="  acme   REALTY "
        )
        lone = old_user.objects.create(
            username="c", username_skeleton="c", email="c@x.com", brokerage="Lone Wolf"
        )
        nobody = old_user.objects.create(
            username="d", username_skeleton="d", email="d@x.com", brokerage=""
        )
        half = _listing(old_listing, "M1", bathrooms=Decimal("2.5"), lot_size=5227)
        whole = _listing(old_listing, "M2", bathrooms=Decimal("3.0"), lot_size=None)
        unknown = _listing(old_listing, "M3", bathrooms=None)
        # two price cuts, recorded by the trigger
        old_listing.objects.filter(pk=half.pk).update(price=Decimal("480000.00"))
        old_listing.objects.filter(pk=half.pk).update(price=Decimal("470000.00"))
        PriceChange.objects.filter(new_price=Decimal("480000.00")).update(
            changed_at=datetime.datetime(2026, 2, 1, tzinfo=UTC)
        )
        PriceChange.objects.filter(new_price=Decimal("470000.00")).update(
            changed_at=datetime.datetime(2026, 3, 1, tzinfo=UTC)
        )

        # When the migrations run
        executor.loader.build_graph()
        executor.migrate(AFTER)

        # Then each brokerage is one office, its users in it
        assert sorted(Office.objects.values_list("name", flat=True)) == ["Acme Realty", "Lone Wolf"]
        offices = dict(User.objects.values_list("username", "office__name"))
        assert offices == {"a": "Acme Realty", "b": "Acme Realty", "c": "Lone Wolf", "d": None}
        # And the totals are split, the lot sizes kept, the history filled in
        rows = {
            row[0]: row[1:]
            for row in Property.objects.values_list(
                "mls_number",
                "bathrooms_full",
                "bathrooms_half",
                "bathrooms",
                "lot_size",
                "original_list_price",
                "price_changed_at",
                "internet_display",
            )
        }
        assert rows == {
            "M1": (
                2,
                1,
                Decimal("2.5"),
                Decimal("5227.00"),
                Decimal("500000.00"),
                datetime.datetime(2026, 3, 1, tzinfo=UTC),
                True,
            ),
            "M2": (3, 0, Decimal("3.0"), None, Decimal("500000.00"), None, True),
            "M3": (None, None, None, None, Decimal("500000.00"), None, True),
        }
        # And the database rules still hold: price history and the derived total
        Property.objects.filter(pk=whole.pk).update(price=Decimal("1.00"), bathrooms_half=2)
        assert Property.objects.get(pk=whole.pk).bathrooms == Decimal("4.0")
        assert PriceChange.objects.filter(property_id=whole.pk).count() == 1

        # When they are reversed
        executor.loader.build_graph()
        executor.migrate(BEFORE)
        apps = executor.loader.project_state(BEFORE).apps
        old_user, old_listing = (
            apps.get_model("users", "User"),
            apps.get_model("properties", "Property"),
        )

        # Then the brokerages and the totals are back
        assert dict(old_user.objects.values_list("username", "brokerage")) == {
            "a": "Acme Realty",
            "b": "Acme Realty",
            "c": "Lone Wolf",
            "d": "",
        }
        assert dict(old_listing.objects.values_list("mls_number", "bathrooms")) == {
            "M1": Decimal("2.5"),
            "M2": Decimal("4.0"),
            "M3": None,
        }
        assert old_listing.objects.get(pk=half.pk).lot_size == 5227
        old_listing.objects.filter(pk=unknown.pk).update(price=Decimal("2.00"))
        assert PriceChange.objects.filter(property_id=unknown.pk).count() == 1
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert acme.pk and acme_again.pk and lone.pk and nobody.pk
