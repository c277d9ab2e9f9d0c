"""Listing photos: upload verification, permissions, deletion and the listing's photo fields."""

import io
import struct
import zlib
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from properties.factories import PropertyFactory, PropertyPhotoFactory
from properties.models import Property, PropertyPhoto
from users.factories import AgentFactory, UserFactory

pytestmark = pytest.mark.django_db

HEX_NAME = r"[0-9a-f]{32}"


def image_bytes(image_format="PNG", size=(40, 30), mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size, color=(200, 80, 40) if mode == "RGB" else 0).save(
        buffer, format=image_format
    )
    return buffer.getvalue()


def noisy_png(size=(64, 64)):
    # Random pixels do not compress, so cutting the file loses real image data.
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, bytes(range(256)) * (size[0] * size[1] * 3 // 256)).save(
        buffer, format="PNG"
    )
    return buffer.getvalue()


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width=20_000, height=20_000):
    """A valid 1-bit PNG of ``width`` × ``height`` black pixels: tens of KB on disk.

    Streamed row by row through zlib, so building it never holds the 50 MB of
    pixels in memory.
    """
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte, then packed pixels
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


def upload(content, name="photo.png", content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def photos_url(listing):
    return f"/api/properties/{listing.pk}/photos/"


def stored_files(listing):
    try:
        return default_storage.listdir(f"photos/{listing.pk}")[1]
    except FileNotFoundError:
        return []


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Listing ids repeat between tests; each test gets an empty storage.
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def own_listing(agent):
    return PropertyFactory(listing_agent=agent)


class TestUpload:
    @pytest.mark.parametrize(
        ("image_format", "extension"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")]
    )
    def test_agent_uploads_each_allowed_format(
        self, agent_api, own_listing, image_format, extension
    ):
        # The client's name and content type are lies; the stored name follows the content.
        file = upload(image_bytes(image_format), name="../../evil.php", content_type="text/html")

        response = agent_api.post(
            photos_url(own_listing), {"image": file, "caption": "Kitchen"}, format="multipart"
        )

        assert response.status_code == 201, response.json()
        body = response.json()
        photo = PropertyPhoto.objects.get()
        assert photo.property == own_listing
        assert (photo.width, photo.height, photo.caption, photo.position) == (40, 30, "Kitchen", 0)
        assert photo.image.name.startswith(f"photos/{own_listing.pk}/")
        assert photo.image.name.endswith(f".{extension}")
        assert "evil" not in photo.image.name
        assert body == {
            "id": photo.pk,
            "image": f"http://testserver/media/{photo.image.name}",
            "caption": "Kitchen",
            "position": 0,
            "width": 40,
            "height": 30,
            "created_at": body["created_at"],
        }
        assert stored_files(own_listing) == [photo.image.name.rsplit("/", 1)[1]]

    def test_stored_name_is_random_hex(self, agent_api, own_listing):
        agent_api.post(
            photos_url(own_listing), {"image": upload(image_bytes())}, format="multipart"
        )

        name = PropertyPhoto.objects.get().image.name.rsplit("/", 1)[1]
        assert len(name) == len("0" * 32 + ".png")
        int(name[:32], 16)  # raises if not hex

    def test_upload_moves_the_listing_etag(self, agent_api, own_listing):
        before = agent_api.get(f"/api/properties/{own_listing.pk}/")["ETag"]

        agent_api.post(
            photos_url(own_listing), {"image": upload(image_bytes())}, format="multipart"
        )

        after = agent_api.get(f"/api/properties/{own_listing.pk}/")["ETag"]
        assert after != before

    def test_position_defaults_to_after_the_last_photo(self, agent_api, own_listing):
        PropertyPhotoFactory(property=own_listing, position=4)

        response = agent_api.post(
            photos_url(own_listing), {"image": upload(image_bytes())}, format="multipart"
        )

        assert response.json()["position"] == 5

    def test_staff_uploads_to_any_listing(self, staff_api):
        listing = PropertyFactory()

        response = staff_api.post(
            photos_url(listing),
            {"image": upload(image_bytes()), "position": 2},
            format="multipart",
        )

        assert response.status_code == 201
        assert PropertyPhoto.objects.get().position == 2


class TestRefusedImages:
    """Each refusal is 400 on `image` with a message naming the problem, and stores nothing."""

    def post(self, api, listing, content, **kwargs):
        return api.post(
            photos_url(listing), {"image": upload(content, **kwargs)}, format="multipart"
        )

    def assert_refused(self, response, listing, words):
        assert response.status_code == 400
        body = response.json()
        assert list(body) == ["image"]
        assert words in body["image"][0]
        assert PropertyPhoto.objects.count() == 0
        assert stored_files(listing) == []
        return body["image"][0]

    def test_text_renamed_png(self, agent_api, own_listing):
        response = self.post(agent_api, own_listing, b"just some text, honestly\n" * 20)

        self.assert_refused(response, own_listing, "is not a JPEG, PNG or WebP image")

    def test_truncated_png(self, agent_api, own_listing):
        whole = noisy_png()

        response = self.post(agent_api, own_listing, whole[: len(whole) // 2])

        self.assert_refused(response, own_listing, "truncated or damaged")

    def test_png_decompression_bomb(self, agent_api, own_listing):
        bomb = png_bomb()
        assert len(bomb) < 200_000  # small on the wire: 400 megapixels inside

        response = self.post(agent_api, own_listing, bomb)

        message = self.assert_refused(response, own_listing, "too many pixels")
        assert message.endswith("the limit is 50 megapixels.")

    def test_60_megapixels_is_refused_from_the_header_without_decoding(
        self, agent_api, own_listing
    ):
        # Below Pillow's own bomb threshold, so the project's limit must catch it;
        # were the pixels decoded, the failing load() would change the message.
        with mock.patch.object(
            PngImagePlugin.PngImageFile, "load", side_effect=AssertionError("decoded")
        ):
            response = self.post(agent_api, own_listing, png_bomb(10_000, 6_000))

        message = self.assert_refused(response, own_listing, "too many pixels (10000 × 6000)")
        assert message.endswith("the limit is 50 megapixels.")

    def test_image_over_the_pixel_limit_names_its_size(self, agent_api, own_listing, settings):
        settings.PHOTO_MAX_PIXELS = 1000

        response = self.post(agent_api, own_listing, image_bytes(size=(50, 30)))

        message = self.assert_refused(response, own_listing, "too many pixels (50 × 30)")
        assert message.endswith("the limit is 0.001 megapixels.")

    def test_gif(self, agent_api, own_listing):
        response = self.post(agent_api, own_listing, image_bytes("GIF", mode="L"), name="anim.gif")

        self.assert_refused(response, own_listing, "GIF images are not accepted")

    def test_file_over_10_mb(self, agent_api, own_listing):
        # Starts like a PNG: the size alone refuses it, before any decoding.
        content = b"\x89PNG\r\n\x1a\n" + b"\x00" * (10 * 1024 * 1024 - 7)

        response = self.post(agent_api, own_listing, content)

        self.assert_refused(
            response, own_listing, "too large: 10,485,761 bytes; the limit is 10,485,760 bytes"
        )

    def test_size_limit_is_a_setting(self, agent_api, own_listing, settings):
        settings.PHOTO_MAX_BYTES = 100

        response = self.post(agent_api, own_listing, image_bytes())

        self.assert_refused(response, own_listing, "the limit is 100 bytes")

    def test_empty_file(self, agent_api, own_listing):
        response = self.post(agent_api, own_listing, b"")

        self.assert_refused(response, own_listing, "empty")

    def test_no_file_at_all(self, agent_api, own_listing):
        response = agent_api.post(
            photos_url(own_listing), {"image": "not a file"}, format="multipart"
        )

        self.assert_refused(response, own_listing, "not a file")

    def test_bad_position_is_keyed_by_field(self, agent_api, own_listing):
        response = agent_api.post(
            photos_url(own_listing),
            {"image": upload(image_bytes()), "position": "-1"},
            format="multipart",
        )

        assert response.status_code == 400
        assert list(response.json()) == ["position"]
        assert stored_files(own_listing) == []


class TestUploadPermissions:
    def test_anonymous_is_401(self, api_client, own_listing):
        response = api_client.post(
            photos_url(own_listing), {"image": upload(image_bytes())}, format="multipart"
        )

        assert response.status_code == 401
        assert PropertyPhoto.objects.count() == 0

    def test_client_is_403(self, client_api, own_listing):
        response = client_api.post(
            photos_url(own_listing), {"image": upload(image_bytes())}, format="multipart"
        )

        assert response.status_code == 403
        assert PropertyPhoto.objects.count() == 0

    def test_agent_of_another_listing_is_403(self, agent_api):
        listing = PropertyFactory(listing_agent=AgentFactory())

        response = agent_api.post(
            photos_url(listing), {"image": upload(image_bytes())}, format="multipart"
        )

        assert response.status_code == 403
        assert response.json() == {
            "detail": "Only the listing's agent and staff can add or delete its photos."
        }
        assert PropertyPhoto.objects.count() == 0
        assert stored_files(listing) == []

    def test_agent_cannot_see_another_agents_withdrawn_listing(self, agent_api):
        listing = PropertyFactory(status=Property.Status.WITHDRAWN)

        response = agent_api.post(
            photos_url(listing), {"image": upload(image_bytes())}, format="multipart"
        )

        assert response.status_code == 404
        assert PropertyPhoto.objects.count() == 0

    def test_unknown_and_malformed_listing_ids_are_404(self, agent_api):
        for listing_id in ("999999", "99999999999999999999", "abc"):
            response = agent_api.get(f"/api/properties/{listing_id}/photos/")
            assert response.status_code == 404, listing_id
            assert "detail" in response.json()


class TestList:
    def test_anyone_lists_a_public_listings_photos_in_position_order(self, api_client):
        listing = PropertyFactory()
        second = PropertyPhotoFactory(property=listing, position=2)
        first = PropertyPhotoFactory(property=listing, position=1)
        PropertyPhotoFactory()  # another listing's

        response = api_client.get(photos_url(listing))

        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 2
        assert [p["id"] for p in body["results"]] == [first.pk, second.pk]
        assert body["results"][0]["image"] == f"http://testserver/media/{first.image.name}"

    @pytest.mark.parametrize("status", [Property.Status.WITHDRAWN, Property.Status.EXPIRED])
    def test_hidden_listing_photos_are_404_to_others(self, api_client, user, status):
        listing = PropertyFactory(status=status)
        PropertyPhotoFactory(property=listing)

        assert api_client.get(photos_url(listing)).status_code == 404
        api_client.force_authenticate(user)
        assert api_client.get(photos_url(listing)).status_code == 404

    def test_hidden_listing_photos_are_shown_to_its_agent_and_staff(self, api_client, staff):
        listing = PropertyFactory(status=Property.Status.WITHDRAWN)
        photo = PropertyPhotoFactory(property=listing)

        for reader in (listing.listing_agent, staff):
            api_client.force_authenticate(reader)
            body = api_client.get(photos_url(listing)).json()
            assert [p["id"] for p in body["results"]] == [photo.pk]

    @pytest.mark.parametrize("photos", [1, 5])
    def test_query_count_does_not_grow_with_photos(
        self, api_client, django_assert_num_queries, photos
    ):
        listing = PropertyFactory()
        PropertyPhotoFactory.create_batch(photos, property=listing)

        # The listing, the count, the page.
        with django_assert_num_queries(3):
            response = api_client.get(photos_url(listing))

        assert len(response.json()["results"]) == photos


class TestDelete:
    def test_agent_deletes_a_photo_and_its_file_after_commit(
        self, agent_api, own_listing, django_capture_on_commit_callbacks
    ):
        photo = PropertyPhotoFactory(property=own_listing)
        kept = PropertyPhotoFactory(property=own_listing)
        name = photo.image.name
        before = own_listing.updated_at
        assert default_storage.exists(name)

        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = agent_api.delete(f"{photos_url(own_listing)}{photo.pk}/")
            # Nothing leaves storage until the transaction commits.
            assert default_storage.exists(name)

        assert response.status_code == 204
        assert len(callbacks) == 1
        assert not default_storage.exists(name)
        assert list(PropertyPhoto.objects.values_list("pk", flat=True)) == [kept.pk]
        assert default_storage.exists(kept.image.name)
        own_listing.refresh_from_db()
        assert own_listing.updated_at > before

    def test_staff_deletes_any_photo(self, staff_api):
        photo = PropertyPhotoFactory()

        response = staff_api.delete(f"{photos_url(photo.property)}{photo.pk}/")

        assert response.status_code == 204
        assert not PropertyPhoto.objects.exists()

    @pytest.mark.parametrize(
        ("who", "expected"), [("anonymous", 401), ("client", 403), ("other_agent", 403)]
    )
    def test_others_cannot_delete(
        self, api_client, django_capture_on_commit_callbacks, who, expected
    ):
        photo = PropertyPhotoFactory()
        if who == "client":
            api_client.force_authenticate(UserFactory())
        elif who == "other_agent":
            api_client.force_authenticate(AgentFactory())

        with django_capture_on_commit_callbacks(execute=True):
            response = api_client.delete(f"{photos_url(photo.property)}{photo.pk}/")

        assert response.status_code == expected
        assert PropertyPhoto.objects.filter(pk=photo.pk).exists()
        assert default_storage.exists(photo.image.name)

    def test_photo_of_another_listing_is_404(self, agent_api, own_listing):
        elsewhere = PropertyPhotoFactory()

        response = agent_api.delete(f"{photos_url(own_listing)}{elsewhere.pk}/")

        assert response.status_code == 404
        assert PropertyPhoto.objects.filter(pk=elsewhere.pk).exists()

    def test_deleting_the_listing_keeps_its_photos_with_the_archived_listing(
        self, agent_api, own_listing, django_capture_on_commit_callbacks
    ):
        names = [p.image.name for p in PropertyPhotoFactory.create_batch(2, property=own_listing)]

        with django_capture_on_commit_callbacks(execute=True):
            response = agent_api.delete(f"/api/properties/{own_listing.pk}/")

        assert response.status_code == 204
        assert PropertyPhoto.objects.count() == 2
        assert [default_storage.exists(name) for name in names] == [True, True]
        assert agent_api.get(photos_url(own_listing)).status_code == 404

    def test_erasing_the_listing_removes_its_photo_files(
        self, own_listing, django_capture_on_commit_callbacks
    ):
        names = [p.image.name for p in PropertyPhotoFactory.create_batch(2, property=own_listing)]

        with django_capture_on_commit_callbacks(execute=True):
            Property.objects.filter(pk=own_listing.pk).delete()

        assert not PropertyPhoto.objects.exists()
        assert [default_storage.exists(name) for name in names] == [False, False]


class TestListingPhotoFields:
    def test_primary_photo_is_the_lowest_position_as_an_absolute_url(self, api_client):
        listing = PropertyFactory()
        PropertyPhotoFactory(property=listing, position=3)
        primary = PropertyPhotoFactory(property=listing, position=1)

        body = api_client.get(f"/api/properties/{listing.pk}/").json()

        assert body["primary_photo"] == f"http://testserver/media/{primary.image.name}"
        assert body["photo_count"] == 2

    def test_listing_without_photos(self, api_client):
        listing = PropertyFactory()

        body = api_client.get(f"/api/properties/{listing.pk}/").json()

        assert (body["primary_photo"], body["photo_count"]) == (None, 0)

    @pytest.mark.parametrize("listings", [1, 4])
    def test_list_costs_the_same_queries_whatever_the_photos(
        self, api_client, django_assert_num_queries, listings
    ):
        for listing in PropertyFactory.create_batch(listings):
            PropertyPhotoFactory.create_batch(2, property=listing)

        # data version (response cache), data version (count memo), count, page
        with django_assert_num_queries(4):
            body = api_client.get("/api/properties/").json()

        assert [row["photo_count"] for row in body["results"]] == [2] * listings
        assert all(
            row["primary_photo"].startswith("http://testserver/media/photos/")
            for row in body["results"]
        )
