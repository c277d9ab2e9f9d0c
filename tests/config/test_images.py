"""The one image gate (config.images): listing photos and avatars, API and admin."""

import io
import struct
import threading
import time
import zlib
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageFile, PngImagePlugin

from config import images
from properties.factories import PropertyFactory, PropertyPhotoFactory
from properties.models import PropertyPhoto
from users.admin import HearthUserChangeForm
from users.factories import AgentFactory, UserFactory
from users.models import User

pytestmark = pytest.mark.django_db

CAMERA = "Hearth-Test-Camera"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def exif_with_gps(orientation=1):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = CAMERA
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (40.0, 26.0, 46.0),
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: (79.0, 58.0, 56.0),
    }
    return exif


def photo_with_metadata(image_format, size=(40, 30), orientation=1):
    buffer = io.BytesIO()
    extra = {}
    if image_format == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", f"taken with {CAMERA}")
        extra["pnginfo"] = info
    Image.new("RGB", size, (200, 80, 40)).save(
        buffer, format=image_format, exif=exif_with_gps(orientation), **extra
    )
    content = buffer.getvalue()
    assert CAMERA.encode() in content  # the metadata really is in the upload
    return content


def assert_no_metadata(content):
    assert CAMERA.encode() not in content
    assert b"Exif" not in content
    with Image.open(io.BytesIO(content)) as stored:
        assert dict(stored.getexif()) == {}
        assert set(stored.info) <= {
            "icc_profile",
            "transparency",
            "dpi",
            "jfif",
            "jfif_unit",
            "jfif_version",
            "jfif_density",
            "progressive",
            "progression",
            "loop",
            "duration",
            "background",
            "timestamp",
        }
        assert "exif" not in stored.info and "comment" not in stored.info


def upload(content, name="upload.png"):
    return SimpleUploadedFile(name, content, content_type="image/png")


def png_rgb_bomb(width, height):
    """A valid RGB PNG of black pixels, tiny on disk, streamed so building it stays small."""
    row = b"\x00" * (1 + 3 * width)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


class TestMetadataIsStripped:
    @pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
    def test_a_listing_photo_is_stored_without_exif_gps_or_text(self, api_client, image_format):
        agent = AgentFactory()
        listing = PropertyFactory(listing_agent=agent)
        api_client.force_authenticate(agent)

        response = api_client.post(
            f"/api/properties/{listing.pk}/photos/",
            {"image": upload(photo_with_metadata(image_format))},
            format="multipart",
        )

        assert response.status_code == 201, response.json()
        photo = PropertyPhoto.objects.get()
        with default_storage.open(photo.image.name) as stored:
            assert_no_metadata(stored.read())
        assert (photo.width, photo.height) == (40, 30)

    @pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
    def test_an_avatar_is_stored_without_exif_gps_or_text(self, api_client, image_format):
        user = UserFactory()
        api_client.force_authenticate(user)

        response = api_client.patch(
            "/api/users/me/",
            {"avatar": upload(photo_with_metadata(image_format), name="me.tiff")},
            format="multipart",
        )

        assert response.status_code == 200, response.json()
        user.refresh_from_db()
        extension = images.ALLOWED_FORMATS[image_format]
        assert user.avatar.name.startswith("avatars/") and user.avatar.name.endswith(extension)
        assert response.json()["avatar"] == f"http://testserver/media/{user.avatar.name}"
        with default_storage.open(user.avatar.name) as stored:
            assert_no_metadata(stored.read())

    def test_a_photo_taken_sideways_is_stored_upright(self, api_client):
        agent = AgentFactory()
        listing = PropertyFactory(listing_agent=agent)
        api_client.force_authenticate(agent)
        # Orientation 6: the camera was turned; viewers rotate it 90° clockwise.
        sideways = photo_with_metadata("JPEG", size=(40, 30), orientation=6)

        response = api_client.post(
            f"/api/properties/{listing.pk}/photos/", {"image": upload(sideways)}, format="multipart"
        )

        assert response.status_code == 201
        assert (response.json()["width"], response.json()["height"]) == (30, 40)


class TestAvatarsPassTheSameChecks:
    @pytest.mark.parametrize(
        ("image_format", "message"),
        [
            ("TIFF", "TIFF images are not accepted"),
            ("BMP", "BMP images are not accepted"),
            ("GIF", "GIF images are not accepted"),
        ],
    )
    def test_formats_outside_the_allowlist_are_refused(self, api_client, image_format, message):
        user = UserFactory()
        api_client.force_authenticate(user)
        buffer = io.BytesIO()
        Image.new("RGB", (20, 20)).save(buffer, format=image_format)
        # A GIF with HTML appended: what a browser sniffing content might run.
        content = buffer.getvalue() + b"<html><script>alert(1)</script></html>"

        response = api_client.patch(
            "/api/users/me/", {"avatar": upload(content, "a.png")}, format="multipart"
        )

        assert response.status_code == 400
        assert response.json()["avatar"][0].startswith(message)
        user.refresh_from_db()
        assert user.avatar.name == ""
        assert default_storage.listdir("")[1] == []

    def test_an_avatar_over_the_pixel_limit_is_refused_before_decoding(self, api_client):
        user = UserFactory()
        api_client.force_authenticate(user)
        with mock.patch.object(
            PngImagePlugin.PngImageFile, "load", side_effect=AssertionError("decoded")
        ):
            response = api_client.patch(
                "/api/users/me/",
                {"avatar": upload(png_rgb_bomb(10_000, 5_100))},
                format="multipart",
            )

        assert response.status_code == 400
        assert response.json() == {
            "avatar": ["The image has too many pixels (10000 × 5100); the limit is 50 megapixels."]
        }

    def test_the_admin_refuses_a_gif_avatar(self):
        user = UserFactory()
        buffer = io.BytesIO()
        Image.new("L", (20, 20)).save(buffer, format="GIF")
        form = HearthUserChangeForm(
            instance=user,
            data={
                "username": user.username,
                "email": user.email,
                "role": "client",
                "date_joined_0": "2026-01-01",
                "date_joined_1": "00:00:00",
            },
            files={"avatar": upload(buffer.getvalue(), "a.gif")},
        )

        assert not form.is_valid()
        assert form.errors["avatar"][0].startswith("GIF images are not accepted")


class TestDecodedMemoryBound:
    def test_a_tiny_png_that_inflates_past_the_bound_is_refused_before_decoding(self, api_client):
        # 49 megapixels, under the pixel limit, in a few hundred kB: 196 MB decoded.
        bomb = png_rgb_bomb(7_000, 7_000)
        assert len(bomb) < 300_000
        agent = AgentFactory()
        listing = PropertyFactory(listing_agent=agent)
        api_client.force_authenticate(agent)

        with mock.patch.object(
            PngImagePlugin.PngImageFile, "load", side_effect=AssertionError("decoded")
        ):
            response = api_client.post(
                f"/api/properties/{listing.pk}/photos/", {"image": upload(bomb)}, format="multipart"
            )

        assert response.status_code == 400
        assert response.json() == {
            "image": [
                "The image would take 186.9 MB of memory to decode (7000 × 7000, mode RGB); "
                "the limit is 128.0 MB. Upload a smaller image."
            ]
        }
        assert not PropertyPhoto.objects.exists()

    def test_a_jpeg_past_the_bound_is_decoded_and_stored_at_a_reduced_scale(self, settings):
        settings.PHOTO_MAX_DECODED_BYTES = 200 * 150 * 4
        content = photo_with_metadata("JPEG", size=(400, 300))

        stored, verified = images.sanitized_upload(upload(content, "big.jpg"))

        assert (verified.format, verified.width, verified.height) == ("JPEG", 200, 150)
        with Image.open(stored) as image:
            assert image.size == (200, 150)


class TestConcurrentDecoding:
    def test_no_more_uploads_decode_at_once_than_the_setting_allows(self, settings):
        settings.PHOTO_DECODE_CONCURRENCY = 2
        content = photo_with_metadata("PNG")
        decoding, most, lock = 0, 0, threading.Lock()
        real_load = ImageFile.ImageFile.load

        def slow_load(image):
            nonlocal decoding, most
            with lock:
                decoding += 1
                most = max(most, decoding)
            time.sleep(0.1)
            try:
                return real_load(image)
            finally:
                with lock:
                    decoding -= 1

        results = []
        with mock.patch.object(ImageFile.ImageFile, "load", slow_load):
            threads = [
                threading.Thread(
                    target=lambda: results.append(images.sanitized_upload(upload(content)))
                )
                for _ in range(8)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

        assert len(results) == 8
        assert most == 2

    def test_an_upload_that_waits_too_long_for_a_slot_answers_503(self, api_client, settings):
        settings.PHOTO_DECODE_CONCURRENCY = 1
        settings.PHOTO_DECODE_WAIT_SECONDS = 0.05
        agent = AgentFactory()
        listing = PropertyFactory(listing_agent=agent)
        api_client.force_authenticate(agent)
        slots = images._decoding_slots()
        slots.acquire()
        try:
            response = api_client.post(
                f"/api/properties/{listing.pk}/photos/",
                {"image": upload(photo_with_metadata("PNG"))},
                format="multipart",
            )
        finally:
            slots.release()

        assert response.status_code == 503
        assert response.json() == {
            "detail": "Too many images are being processed right now; try the upload again."
        }
        assert not PropertyPhoto.objects.exists()


class TestReplacedFilesAreRemoved:
    def test_a_replaced_avatar_leaves_storage_after_commit(
        self, api_client, django_capture_on_commit_callbacks
    ):
        user = UserFactory()
        api_client.force_authenticate(user)
        api_client.patch(
            "/api/users/me/", {"avatar": upload(photo_with_metadata("PNG"))}, format="multipart"
        )
        first = User.objects.get(pk=user.pk).avatar.name

        with django_capture_on_commit_callbacks(execute=True):
            response = api_client.patch(
                "/api/users/me/",
                {"avatar": upload(photo_with_metadata("JPEG"))},
                format="multipart",
            )

        second = User.objects.get(pk=user.pk).avatar.name
        assert response.status_code == 200
        assert second != first
        assert not default_storage.exists(first)
        assert default_storage.exists(second)

    def test_a_cleared_avatar_leaves_storage(self, api_client, django_capture_on_commit_callbacks):
        user = UserFactory()
        api_client.force_authenticate(user)
        api_client.patch(
            "/api/users/me/", {"avatar": upload(photo_with_metadata("PNG"))}, format="multipart"
        )
        name = User.objects.get(pk=user.pk).avatar.name

        with django_capture_on_commit_callbacks(execute=True):
            response = api_client.patch("/api/users/me/", {"avatar": None}, format="json")

        assert response.status_code == 200
        assert response.json()["avatar"] is None
        assert not default_storage.exists(name)

    def test_a_deleted_users_avatar_leaves_storage(self, django_capture_on_commit_callbacks):
        user = UserFactory()
        clean, _ = images.sanitized_upload(upload(photo_with_metadata("PNG")))
        user.avatar = clean
        user.save()
        name = user.avatar.name
        assert default_storage.exists(name)

        with django_capture_on_commit_callbacks(execute=True):
            User.objects.get(pk=user.pk).delete()

        assert not default_storage.exists(name)

    def test_a_replaced_photo_image_leaves_storage(self, django_capture_on_commit_callbacks):
        photo = PropertyPhotoFactory()
        old = photo.image.name

        with django_capture_on_commit_callbacks(execute=True):
            loaded = PropertyPhoto.objects.get(pk=photo.pk)
            loaded.image, _ = images.sanitized_upload(upload(photo_with_metadata("PNG")))
            loaded.save()

        assert not default_storage.exists(old)
        assert default_storage.exists(loaded.image.name)

    def test_a_rolled_back_replacement_keeps_the_old_file(self, django_capture_on_commit_callbacks):
        photo = PropertyPhotoFactory()
        old = photo.image.name

        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            loaded = PropertyPhoto.objects.get(pk=photo.pk)
            loaded.image, _ = images.sanitized_upload(upload(photo_with_metadata("PNG")))
            loaded.save()

        assert len(callbacks) == 1  # the deletion waits for a commit that never comes
        assert default_storage.exists(old)
