"""Photos of replicated listings: references to the source's URLs, in order, kept in step."""

import pytest
from rest_framework.test import APIClient

from mls.factories import MlsSourceFactory
from mls.models import SyncRun
from mls.sync import sync_run_execute
from properties.factories import PropertyPhotoFactory
from properties.models import Property, PropertyPhoto
from tests.mls.fake_source import FakeSource, record

pytestmark = pytest.mark.django_db(transaction=True)

CDN = "https://cdn.example-mls.com/"


def media(*names, **extra):
    return [
        {"MediaURL": f"{CDN}{name}.jpg", "Order": order, "MediaCategory": "Photo",
         "ShortDescription": f"The {name}", **extra}
        for order, name in enumerate(names, start=1)
    ]  # fmt: skip


def _run(source) -> SyncRun:
    run = SyncRun.objects.create(source=source, trigger=SyncRun.Trigger.COMMAND)
    return sync_run_execute(run_id=run.pk)


def _urls(listing) -> list[str]:
    return list(listing.photos.order_by("position", "id").values_list("source_url", flat=True))


def test_photos_are_stored_as_the_source_urls_in_order_and_served_by_the_api():
    # The source lists them out of order; Order says which comes first.
    shuffled = list(reversed(media("front", "kitchen", "garden")))
    with FakeSource([record(1, Media=shuffled), record(2)]) as fake:
        source = MlsSourceFactory(url=fake.url)
        run = _run(source)
        asked = next(r for r in fake.requests if r.startswith("/odata/Property"))

    assert run.status == "succeeded", run.message
    assert "%24expand=Media" in asked
    listing = Property.objects.get(source_key="1")
    assert _urls(listing) == [f"{CDN}front.jpg", f"{CDN}kitchen.jpg", f"{CDN}garden.jpg"]
    assert not listing.photos.exclude(image="").exists()  # nothing downloaded
    body = APIClient().get(f"/api/properties/{listing.pk}/").json()
    assert (body["primary_photo"], body["photo_count"]) == (f"{CDN}front.jpg", 3)
    photos = APIClient().get(f"/api/properties/{listing.pk}/photos/").json()["results"]
    assert [(p["image"], p["caption"]) for p in photos] == [
        (f"{CDN}front.jpg", "The front"),
        (f"{CDN}kitchen.jpg", "The kitchen"),
        (f"{CDN}garden.jpg", "The garden"),
    ]
    other = Property.objects.get(source_key="2")
    assert (other.photo_total, other.primary_photo_image) == (0, "")


def test_removed_and_reordered_media_are_mirrored_on_the_next_run():
    with FakeSource([record(1, Media=media("front", "kitchen", "garden"))]) as fake:
        source = MlsSourceFactory(url=fake.url)
        _run(source)
        listing = Property.objects.get(source_key="1")
        listing.refresh_from_db()
        touched = listing.updated_at
        fake.put(record(1, minute=30, Media=media("garden", "front")))

        run = _run(source)

    assert run.status == "succeeded", run.message
    listing.refresh_from_db()
    assert _urls(listing) == [f"{CDN}garden.jpg", f"{CDN}front.jpg"]
    assert (listing.photo_total, listing.primary_photo_image) == (2, f"{CDN}garden.jpg")
    assert listing.updated_at > touched  # readers (ETags, a Hearth syncing from this) see it


def test_a_record_unchanged_in_its_media_rewrites_no_photo():
    with FakeSource([record(1, Media=media("front", "kitchen"))]) as fake:
        source = MlsSourceFactory(url=fake.url)
        _run(source)
        before = list(PropertyPhoto.objects.values_list("pk", flat=True))
        fake.put(record(1, minute=30, price=280000, Media=media("front", "kitchen")))

        _run(source)

    assert list(PropertyPhoto.objects.values_list("pk", flat=True)) == before


def test_without_media_photos_stay_and_uploads_and_unsafe_urls_are_left_alone():
    unsafe = [
        {"MediaURL": "javascript:alert(1)", "Order": 1},
        {"MediaURL": f"{CDN}tour.mp4", "Order": 2, "MediaCategory": "Video"},
        {"MediaURL": f"{CDN}ok.jpg", "Order": 3},
    ]
    with FakeSource([record(1, Media=unsafe)]) as fake:
        source = MlsSourceFactory(url=fake.url)
        _run(source)
        listing = Property.objects.get(source_key="1")
        upload = PropertyPhotoFactory(property=listing, position=9)
        # The source stops expanding Media: nothing to learn about photos from it.
        fake.put(record(1, minute=30, price=280000))
        _run(source)

    assert _urls(listing) == [f"{CDN}ok.jpg", ""]
    assert listing.photos.get(source_url="").pk == upload.pk
    listing.refresh_from_db()
    assert (listing.photo_total, listing.primary_photo_image) == (2, f"{CDN}ok.jpg")


def test_a_source_that_refuses_expand_gives_the_photos_of_its_media_resource():
    with FakeSource(
        [record(1, Media=list(reversed(media("front", "kitchen")))), record(2)]
    ) as fake:
        fake.expands = False  # an OData 4.0 server: $expand answers 400
        run = _run(MlsSourceFactory(url=fake.url))
        asked = [r for r in fake.requests if r.startswith("/odata/Media")]

    assert run.status == "succeeded", run.message
    assert run.created == 2
    assert len(asked) == 1  # one request for the page's two listings
    assert _urls(Property.objects.get(source_key="1")) == [
        f"{CDN}front.jpg",
        f"{CDN}kitchen.jpg",
    ]
    assert _urls(Property.objects.get(source_key="2")) == []


def test_a_source_with_neither_expand_nor_media_still_syncs_its_listings():
    with FakeSource([record(1, Media=media("front")), record(2)]) as fake:
        fake.expands = False
        fake.media_resource = False  # the Media resource answers 404
        run = _run(MlsSourceFactory(url=fake.url))

    assert (run.status, run.created) == ("succeeded", 2)
    assert not PropertyPhoto.objects.exists()
