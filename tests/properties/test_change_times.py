"""The database rule listing_change_times: RESO's change timestamps from every write path."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from properties.bulk import listings_upsert
from properties.factories import PropertyFactory, PropertyPhotoFactory
from properties.models import Property, PropertyPhoto
from tests.properties.clock import stamp_floor

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def stamps(listing):
    return Property.objects.values_list(
        "status_changed_at", "price_changed_at", "photos_changed_at", "original_list_price"
    ).get(pk=listing.pk)


@pytest.fixture
def listing():
    return PropertyFactory(
        status="active",
        price=Decimal("500000.00"),
        original_list_price=Decimal("500000.00"),
        status_changed_at=LONG_AGO,
        price_changed_at=None,
        photos_changed_at=None,
    )


def test_raw_sql_changing_the_status_and_price_is_stamped(listing):
    before = stamp_floor()
    table = Property._meta.db_table

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = 'pending', price = 1 WHERE id = %s",  # noqa: S608
            [listing.pk],
        )

    status_at, price_at, photos_at, original = stamps(listing)
    assert status_at >= before and price_at >= before
    assert (photos_at, original) == (None, Decimal("500000.00"))


def test_a_queryset_update_of_other_fields_stamps_nothing(listing):
    Property.objects.filter(pk=listing.pk).update(description="Fresh paint")

    assert stamps(listing) == (LONG_AGO, None, None, Decimal("500000.00"))


def test_a_write_that_sets_the_timestamp_itself_keeps_it(listing):
    mls_time = datetime.datetime(2026, 3, 20, 16, 10, tzinfo=datetime.UTC)

    Property.objects.filter(pk=listing.pk).update(status="sold", status_changed_at=mls_time)

    assert stamps(listing)[0] == mls_time


def test_a_new_listing_written_in_bulk_starts_its_history():
    before = stamp_floor()
    new = PropertyFactory.build(
        mls_number="BULK1",
        listing_agent=None,
        price=Decimal("420000.00"),
        original_list_price=None,
        status_changed_at=None,
    )

    listings_upsert([new], update_fields=["updated_at"])

    status_at, _price_at, _photos_at, original = stamps(new)
    assert status_at >= before
    assert original == Decimal("420000.00")


def test_a_bulk_upsert_changing_the_price_is_stamped(listing):
    before = stamp_floor()
    listing.price = Decimal("450000.00")
    listing.pk = None

    listings_upsert([listing], update_fields=["price", "updated_at"])

    assert stamps(listing)[1] >= before


def test_every_photo_write_stamps_its_listing(listing, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    other = PropertyFactory(photos_changed_at=None)
    photo = PropertyPhotoFactory(property=listing)
    added_at = stamps(listing)[2]
    assert added_at is not None

    PropertyPhoto.objects.filter(pk=photo.pk).update(caption="Porch")
    recaptioned_at = stamps(listing)[2]
    PropertyPhoto.objects.filter(pk=photo.pk).update(property=other)

    assert recaptioned_at >= added_at
    assert stamps(other)[2] is not None
    PropertyPhoto.objects.filter(pk=photo.pk).delete()
    assert stamps(other)[2] >= recaptioned_at
