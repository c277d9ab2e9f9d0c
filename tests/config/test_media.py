"""Uploaded photos and avatars are served in production: the filesystem default and S3."""

import io
import json
import socket
import urllib.request
from unittest import mock

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from moto.server import ThreadedMotoServer
from PIL import Image

from properties.factories import PropertyFactory
from properties.models import PropertyPhoto
from users.factories import AgentFactory
from users.models import User

pytestmark = pytest.mark.django_db

BUCKET = "hearth-media-test"
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
        }
    ],
}


def png_upload(size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def upload_photo(api_client):
    agent = AgentFactory()
    listing = PropertyFactory(listing_agent=agent)
    api_client.force_authenticate(agent)
    response = api_client.post(
        f"/api/properties/{listing.pk}/photos/", {"image": png_upload()}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    api_client.force_authenticate(None)
    return response.json()["image"], PropertyPhoto.objects.get()


class TestFilesystemMedia:
    @pytest.fixture(autouse=True)
    def _media_root(self, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)

    def test_an_uploaded_photo_is_served_at_its_url_with_debug_off(self, api_client, settings):
        assert settings.DEBUG is False
        url, photo = upload_photo(api_client)

        response = api_client.get(url)

        assert response.status_code == 200
        with default_storage.open(photo.image.name) as stored:
            assert b"".join(response.streaming_content) == stored.read()
        assert response["Content-Type"] == "image/png"
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"

    def test_an_avatar_is_served_at_its_url(self, api_client):
        user = AgentFactory()
        api_client.force_authenticate(user)
        response = api_client.patch("/api/users/me/", {"avatar": png_upload()}, format="multipart")
        api_client.force_authenticate(None)

        served = api_client.get(response.json()["avatar"])

        assert served.status_code == 200
        with default_storage.open(User.objects.get(pk=user.pk).avatar.name) as stored:
            assert b"".join(served.streaming_content) == stored.read()

    @pytest.mark.parametrize(
        ("path", "status"),
        [
            ("/media/../config/settings.py", 400),
            ("/media/%2e%2e/manage.py", 400),
            ("/media/photos/missing.png", 404),
        ],
    )
    def test_nothing_outside_media_and_no_missing_file_is_served(self, api_client, path, status):
        assert api_client.get(path).status_code == status

    def test_production_serves_media_by_default_and_not_with_a_bucket(self, production_setting):
        assert production_setting("settings.SERVE_MEDIA") is True
        assert production_setting("settings.SERVE_MEDIA", AWS_STORAGE_BUCKET_NAME="b") is False


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    """A real S3-compatible HTTP server (moto's server mode), not a mock object."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 (moto accepts any key)
    )
    client.create_bucket(Bucket=BUCKET)
    # As a deployment's bucket (or its CDN) is: anyone may read the media.
    client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
    yield endpoint
    server.stop()


@pytest.fixture
def s3_storage(settings, s3_server, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_server,
                "region_name": "us-east-1",
                "querystring_auth": False,
                "file_overwrite": False,
            },
        },
    }
    settings.SERVE_MEDIA = False
    return s3_server


class TestObjectStorage:
    def test_production_settings_select_s3_from_the_environment(self, production_setting):
        storage = production_setting(
            "settings.STORAGES['default']",
            AWS_STORAGE_BUCKET_NAME="hearth-media",
            AWS_S3_ENDPOINT_URL="https://s3.example.net",
            AWS_S3_CUSTOM_DOMAIN="media.example.net",
        )

        assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
        assert storage["OPTIONS"]["bucket_name"] == "hearth-media"
        assert storage["OPTIONS"]["endpoint_url"] == "https://s3.example.net"
        assert storage["OPTIONS"]["custom_domain"] == "media.example.net"
        assert storage["OPTIONS"]["querystring_auth"] is False

    def test_without_a_bucket_media_stays_on_the_filesystem(self, production_setting):
        storage = production_setting("settings.STORAGES['default']")

        assert storage == {"BACKEND": "django.core.files.storage.FileSystemStorage"}

    def test_an_uploaded_photo_is_stored_in_the_bucket_and_its_url_answers(
        self, api_client, s3_storage, django_capture_on_commit_callbacks
    ):
        url, photo = upload_photo(api_client)

        assert url == f"{s3_storage}/{BUCKET}/{photo.image.name}"
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our test server)
            served = response.read()
            assert response.status == 200
            assert response.headers["Content-Type"] == "image/png"
        with default_storage.open(photo.image.name) as stored:
            assert served == stored.read()
        with Image.open(io.BytesIO(served)) as image:
            assert image.size == (40, 30)
        listing_row = api_client.get(f"/api/properties/{photo.property_id}/").json()
        assert listing_row["primary_photo"] == url

        # Deleting the photo removes the object once the deletion commits
        agent = photo.property.listing_agent
        api_client.force_authenticate(agent)
        with django_capture_on_commit_callbacks(execute=True):
            deleted = api_client.delete(f"/api/properties/{photo.property_id}/photos/{photo.pk}/")
        assert deleted.status_code == 204
        assert not default_storage.exists(photo.image.name)

    def test_an_unreachable_bucket_answers_503_and_stores_nothing(
        self, api_client, s3_storage, settings
    ):
        closed_port = _free_port()
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                **settings.STORAGES["default"],
                "OPTIONS": {
                    **settings.STORAGES["default"]["OPTIONS"],
                    "endpoint_url": f"http://127.0.0.1:{closed_port}",
                },
            },
        }
        agent = AgentFactory()
        listing = PropertyFactory(listing_agent=agent)
        api_client.force_authenticate(agent)

        with mock.patch.dict("os.environ", {"AWS_MAX_ATTEMPTS": "1"}):
            response = api_client.post(
                f"/api/properties/{listing.pk}/photos/", {"image": png_upload()}, format="multipart"
            )

        assert response.status_code == 503
        assert response.json() == {
            "detail": "File storage is unavailable; try the upload again shortly."
        }
        assert not PropertyPhoto.objects.exists()
