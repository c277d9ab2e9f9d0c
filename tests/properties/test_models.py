"""Rules the database itself keeps, whatever path writes a listing."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from properties import services
from properties.factories import PropertyFactory
from properties.models import PriceChange, Property
from users.factories import StaffFactory

pytestmark = pytest.mark.django_db


class TestPriceHistory:
    def test_save_with_a_new_price_records_one_change(self):
        listing = PropertyFactory(price=Decimal("500000.00"))

        listing.price = Decimal("475000.00")
        listing.save()

        change = PriceChange.objects.get(property=listing)
        assert (change.old_price, change.new_price) == (Decimal("500000.00"), Decimal("475000.00"))
        assert change.changed_at is not None

    def test_queryset_update_records_a_change(self):
        listing = PropertyFactory(price=Decimal("300000.00"))

        Property.objects.filter(pk=listing.pk).update(price=Decimal("310000.00"))

        assert list(PriceChange.objects.values_list("old_price", "new_price")) == [
            (Decimal("300000.00"), Decimal("310000.00"))
        ]

    def test_saving_the_same_price_records_nothing(self):
        listing = PropertyFactory(price=Decimal("300000.00"))

        listing.description = "Freshly painted"
        listing.save()
        Property.objects.filter(pk=listing.pk).update(price=Decimal("300000.00"))

        assert not PriceChange.objects.exists()

    def test_creating_a_listing_records_nothing(self):
        PropertyFactory()

        assert not PriceChange.objects.exists()

    def test_history_is_newest_first(self):
        listing = PropertyFactory(price=Decimal("100.00"))
        for price in ("200.00", "300.00", "250.00"):
            listing.price = Decimal(price)
            listing.save()

        assert [c.new_price for c in listing.price_changes.all()] == [
            Decimal("250.00"),
            Decimal("300.00"),
            Decimal("200.00"),
        ]


class TestMlsNumber:
    def test_generated_from_the_id_when_missing(self):
        listing = services.property_create(
            listing=PropertyFactory.build(mls_number=None, listing_agent=None),
            user=StaffFactory(),
        )

        listing.refresh_from_db()
        assert listing.mls_number == f"H{listing.pk:07d}"

    def test_kept_when_given(self):
        listing = services.property_create(
            listing=PropertyFactory.build(mls_number="ABC-1", listing_agent=None),
            user=StaffFactory(),
        )

        listing.refresh_from_db()
        assert listing.mls_number == "ABC-1"

    def test_unique(self):
        PropertyFactory(mls_number="DUP1")
        with pytest.raises(IntegrityError), transaction.atomic():
            PropertyFactory(mls_number="DUP1")


@pytest.mark.parametrize(
    "field, value",
    [
        ("price", Decimal("0")),
        ("price", Decimal("-1")),
        ("latitude", 91),
        ("longitude", -181),
        ("year_built", 1500),
        ("bathrooms_full", -1),
        ("bathrooms_half", -1),
        ("original_list_price", Decimal("0")),
        ("living_area", 0),
        ("lot_size", 0),
        ("status", "bogus"),
        ("property_type", "castle"),
    ],
)
def test_database_refuses_out_of_range_values(field, value):
    listing = PropertyFactory.build(listing_agent=None, **{field: value})

    with pytest.raises(IntegrityError), transaction.atomic():
        listing.save()

    assert not Property.objects.exists()
