"""A listing's photo count and primary photo, kept by the database (migration 0004).

Every path that changes photos, and every path that writes a whole listing
row, must leave ``photo_total`` and ``primary_photo_image`` true.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from properties import services
from properties.bulk import listings_upsert
from properties.factories import PropertyFactory, PropertyPhotoFactory
from properties.models import PriceChange, Property, PropertyPhoto
from tests.properties.test_admin import change_form_data
from tests.properties.uploads import jpeg
from users.factories import StaffFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/properties/property/"
NO_PHOTOS = (0, "")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def summary(listing):
    """(photo_total, primary_photo_image) as stored, not as an instance remembers them."""
    return Property.objects.values_list("photo_total", "primary_photo_image").get(pk=listing.pk)


class TestPhotoWrites:
    def test_a_new_listing_has_no_photos(self):
        assert summary(PropertyFactory()) == NO_PHOTOS

    def test_adding_photos_counts_them_and_the_lowest_position_is_primary(self):
        listing = PropertyFactory()
        earlier = services.photo_add(listing=listing, image=jpeg(), width=30, height=20)
        assert summary(listing) == (1, earlier.image.name)

        # Same position (photo_add put the first upload at 0): the lower id stays primary
        services.photo_add(listing=listing, image=jpeg(), width=30, height=20, position=0)
        assert summary(listing) == (2, earlier.image.name)

        front = PropertyPhotoFactory(property=listing, position=0)
        PropertyPhoto.objects.exclude(pk=front.pk).update(position=5)
        assert summary(listing) == (3, front.image.name)

    def test_deleting_the_primary_photo_promotes_the_next_one(self):
        listing = PropertyFactory()
        primary = PropertyPhotoFactory(property=listing, position=1)
        next_one = PropertyPhotoFactory(property=listing, position=2)

        services.photo_delete(photo=primary)
        assert summary(listing) == (1, next_one.image.name)

        services.photo_delete(photo=next_one)
        assert summary(listing) == NO_PHOTOS

    def test_reordering_makes_another_photo_primary(self):
        listing = PropertyFactory()
        primary = PropertyPhotoFactory(property=listing, position=1)
        other = PropertyPhotoFactory(property=listing, position=2)

        other.position = 0
        other.save()
        assert summary(listing) == (2, other.image.name)

        PropertyPhoto.objects.filter(pk=primary.pk).update(position=0)
        assert summary(listing) == (2, primary.image.name)  # (0, lower id) wins

    def test_replacing_the_primary_image_changes_the_primary_photo(self):
        listing = PropertyFactory()
        photo = PropertyPhotoFactory(property=listing, position=0)

        PropertyPhoto.objects.filter(pk=photo.pk).update(image="photos/elsewhere.jpg")

        assert summary(listing) == (1, "photos/elsewhere.jpg")

    def test_a_caption_change_keeps_the_summary(self):
        listing = PropertyFactory()
        photo = PropertyPhotoFactory(property=listing, position=0)

        photo.caption = "New caption"
        photo.save()

        assert summary(listing) == (1, photo.image.name)

    def test_moving_a_photo_to_another_listing_updates_both(self):
        source, target = PropertyFactory(), PropertyFactory()
        moved = PropertyPhotoFactory(property=source, position=0)
        kept = PropertyPhotoFactory(property=source, position=1)
        theirs = PropertyPhotoFactory(property=target, position=3)

        moved.property = target
        moved.save()

        assert summary(source) == (1, kept.image.name)
        assert summary(target) == (2, moved.image.name)
        assert theirs.position > moved.position

    def test_a_bulk_delete_of_photos_recounts(self):
        listing = PropertyFactory()
        photos = [PropertyPhotoFactory(property=listing, position=n) for n in range(4)]

        PropertyPhoto.objects.filter(property=listing, position__lt=3).delete()

        assert summary(listing) == (1, photos[3].image.name)

    def test_deleting_a_listing_deletes_its_photos_and_leaves_others_alone(self):
        gone, other = PropertyFactory(), PropertyFactory()
        PropertyPhotoFactory.create_batch(2, property=gone)
        theirs = PropertyPhotoFactory(property=other, position=0)

        Property.objects.filter(pk=gone.pk).delete()

        assert not Property.objects.filter(pk=gone.pk).exists()
        assert list(PropertyPhoto.objects.values_list("pk", flat=True)) == [theirs.pk]
        assert summary(other) == (1, theirs.image.name)


class TestWholeRowWrites:
    def test_saving_an_instance_loaded_before_a_photo_was_added_keeps_the_count(self):
        # Given a listing loaded into memory, then a photo added through the service
        listing = PropertyFactory(price=Decimal("300000.00"))
        stale = Property.objects.get(pk=listing.pk)
        photo = services.photo_add(listing=listing, image=jpeg(), width=30, height=20)
        assert (stale.photo_total, stale.primary_photo_image) == NO_PHOTOS

        # When the stale instance is saved whole
        stale.price = Decimal("290000.00")
        stale.save()

        # Then its stale photo columns were not written back, and the price was
        assert summary(listing) == (1, photo.image.name)
        assert Property.objects.get(pk=listing.pk).price == Decimal("290000.00")
        assert PriceChange.objects.filter(property=listing).count() == 1

    def test_saving_an_instance_loaded_before_a_photo_was_deleted_keeps_the_count(self):
        listing = PropertyFactory()
        photo = PropertyPhotoFactory(property=listing)
        stale = Property.objects.get(pk=listing.pk)
        assert stale.photo_total == 1
        services.photo_delete(photo=photo)

        stale.save()

        assert summary(listing) == NO_PHOTOS

    def test_bulk_update_and_queryset_update_cannot_write_made_up_values(self):
        listing = PropertyFactory()
        photo = PropertyPhotoFactory(property=listing)
        stale = Property.objects.get(pk=listing.pk)
        PropertyPhotoFactory(property=listing, position=photo.position + 1)

        Property.objects.bulk_update([stale], ["photo_total", "primary_photo_image", "price"])
        assert summary(listing) == (2, photo.image.name)

        Property.objects.filter(pk=listing.pk).update(photo_total=42, primary_photo_image="x.jpg")
        assert summary(listing) == (2, photo.image.name)

    def test_an_insert_cannot_claim_photos_it_does_not_have(self):
        listing = PropertyFactory(photo_total=7, primary_photo_image="photos/forged.jpg")

        assert summary(listing) == NO_PHOTOS

    def test_the_api_ignores_the_columns_in_a_write(self, staff_api):
        listing = PropertyFactory()
        photo = PropertyPhotoFactory(property=listing)

        response = staff_api.patch(
            f"/api/properties/{listing.pk}/",
            {"photo_total": 9, "primary_photo_image": "x.jpg", "photo_count": 9, "city": "Reno"},
            format="json",
        )

        assert response.status_code == 200
        assert (response.json()["city"], response.json()["photo_count"]) == ("Reno", 1)
        assert "photo_total" not in response.json()
        assert summary(listing) == (1, photo.image.name)

    def test_reimporting_a_listing_with_photos_keeps_them_counted(self):
        # Given a listing with a photo, then changed in a feed (the importer upserts whole rows)
        listing = PropertyFactory(mls_number="IMP1", price=Decimal("400000.00"))
        photo = PropertyPhotoFactory(property=listing)
        feed_row = Property.objects.get(pk=listing.pk)
        feed_row.pk, feed_row.price = None, Decimal("390000.00")
        fresh = PropertyFactory.build(mls_number="IMP2", listing_agent=None)

        # When both are upserted
        listings_upsert([feed_row, fresh], update_fields=["price", "updated_at"])

        # Then the existing listing keeps its photo and the new one has none
        assert summary(listing) == (1, photo.image.name)
        assert Property.objects.get(pk=listing.pk).price == Decimal("390000.00")
        assert summary(Property.objects.get(mls_number="IMP2")) == NO_PHOTOS


class TestAdmin:
    @pytest.fixture
    def admin_client(self, client):
        client.force_login(StaffFactory(is_superuser=True))
        return client

    def etag(self, admin_client, listing):
        page = admin_client.get(f"{CHANGELIST}{listing.pk}/change/")
        assert "photo_total" not in page.text and "primary_photo_image" not in page.text
        return page.context["adminform"].form["loaded_etag"].value()

    def save_with_photos(self, admin_client, listing, *photos):
        """Post the change form with these inline photo forms (dicts of their fields)."""
        existing = sum(1 for photo in photos if photo.get("id"))
        forms = {"photos-TOTAL_FORMS": str(len(photos)), "photos-INITIAL_FORMS": str(existing)}
        for index, photo in enumerate(photos):
            fields = {"id": "", "property": str(listing.pk), **photo}
            forms.update({f"photos-{index}-{name}": value for name, value in fields.items()})
        return admin_client.post(
            f"{CHANGELIST}{listing.pk}/change/",
            change_form_data(listing, loaded_etag=self.etag(admin_client, listing), **forms),
        )

    def test_inline_add_and_delete(self, admin_client):
        listing = PropertyFactory()
        kept = PropertyPhotoFactory(property=listing, position=5)
        kept_form = {"id": str(kept.pk), "caption": kept.caption, "position": "5"}

        # When staff add a photo in front through the inline
        response = self.save_with_photos(
            admin_client,
            listing,
            kept_form,
            {"image": jpeg("front.jpg"), "caption": "Front", "position": "1"},
        )

        # Then it counts and is the primary photo
        assert response.status_code == 302, response.context["errors"]
        added = PropertyPhoto.objects.get(caption="Front")
        assert summary(listing) == (2, added.image.name)

        # When staff delete it through the inline
        listing.refresh_from_db()
        response = self.save_with_photos(
            admin_client,
            listing,
            {"id": str(added.pk), "caption": "Front", "position": "1", "DELETE": "on"},
            kept_form,
        )

        # Then the one left is counted and primary again
        assert response.status_code == 302, response.context["errors"]
        assert summary(listing) == (1, kept.image.name)


BEFORE, AFTER = "0003_property_status_idx", "0004_listing_photo_summary"


@pytest.mark.django_db(transaction=True)
def test_the_migration_backfills_and_its_reverse_leaves_working_tables():
    executor = MigrationExecutor(connection)
    try:
        # Given listings and photos written before the columns existed
        executor.migrate([("properties", BEFORE)])
        apps = executor.loader.project_state([("properties", BEFORE)]).apps
        with_photos, without = (
            PropertyFactory.build(mls_number=mls).__dict__ for mls in ("BF1", "BF2")
        )
        old_property = apps.get_model("properties", "Property")
        fields = [f.attname for f in old_property._meta.concrete_fields if not f.primary_key]
        # Fields that came later (bathroom counts replaced bathrooms) are left empty.
        listing = old_property.objects.create(**{f: with_photos.get(f) for f in fields})
        empty = old_property.objects.create(**{f: without.get(f) for f in fields})
        old_photo = apps.get_model("properties", "PropertyPhoto")
        for position, name in [(2, "photos/b.jpg"), (1, "photos/a.jpg"), (1, "photos/c.jpg")]:
            # Dimensions given, so Django does not open the (absent) file to measure it
            old_photo.objects.create(
                property=listing, image=name, position=position, width=1, height=1
            )

        # When the migrations run (to the latest: the rule's SQL is today's, which
        # reads columns later migrations add, such as PropertyPhoto.source_url)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

        # Then existing listings are filled in, and the triggers work from here on
        assert summary(listing) == (3, "photos/a.jpg")
        assert summary(empty) == NO_PHOTOS
        PropertyPhoto.objects.filter(image="photos/a.jpg").delete()
        assert summary(listing) == (2, "photos/c.jpg")

        # When it runs again, as after an interruption while filling in, it fills in again
        MigrationRecorder(connection).record_unapplied("properties", AFTER)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        assert summary(listing) == (2, "photos/c.jpg")

        # When it is reversed, photo writes and price changes still work
        executor.loader.build_graph()
        executor.migrate([("properties", BEFORE)])
        old_photo.objects.create(
            property=listing, image="photos/d.jpg", position=0, width=1, height=1
        )
        old_property.objects.filter(pk=listing.pk).update(price=Decimal("1.00"))
        assert old_photo.objects.filter(property=listing).count() == 3
        assert PriceChange.objects.filter(property_id=listing.pk).count() == 1
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
