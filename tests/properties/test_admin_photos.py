"""The admin's photo inline: same upload verification as the API, thumbnails on the page."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from properties.admin import PropertyPhotoForm
from properties.factories import PropertyFactory, PropertyPhotoFactory
from properties.models import PropertyPhoto

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def image_file(image_format, name):
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20)).save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_admin_upload_is_verified_and_renamed():
    listing = PropertyFactory()
    form = PropertyPhotoForm(
        data={"caption": "Porch", "position": 0},
        files={"image": image_file("WEBP", "porch.png")},
        instance=PropertyPhoto(property=listing),
    )

    assert form.is_valid(), form.errors
    photo = form.save()

    assert photo.image.name.startswith(f"photos/{listing.pk}/")
    assert photo.image.name.endswith(".webp")
    assert "porch" not in photo.image.name
    assert (photo.width, photo.height) == (30, 20)


def test_admin_refuses_a_gif_that_djangos_image_field_would_accept():
    listing = PropertyFactory()
    form = PropertyPhotoForm(
        data={"caption": "", "position": 0},
        files={"image": image_file("GIF", "anim.gif")},
        instance=PropertyPhoto(property=listing),
    )

    assert not form.is_valid()
    assert form.errors["image"] == [
        "GIF images are not accepted; upload a JPEG, PNG or WebP image."
    ]
    assert not PropertyPhoto.objects.exists()


def test_change_page_shows_thumbnails(admin_client):
    photo = PropertyPhotoFactory(caption="Front door")

    response = admin_client.get(f"/admin/properties/property/{photo.property_id}/change/")

    assert response.status_code == 200
    assert f'<img src="/media/{photo.image.name}" alt="Front door"' in response.text


def test_a_photo_without_an_upload_is_refused_naming_the_field():
    form = PropertyPhotoForm(
        data={"caption": "Porch", "position": 0}, instance=PropertyPhoto(property=PropertyFactory())
    )

    assert not form.is_valid()
    assert form.errors["image"] == ["Choose an image to upload."]


def test_a_replicated_photo_shows_its_mls_url_and_saves_without_an_upload(admin_client):
    photo = PropertyPhotoFactory(from_mls=True, caption="Kitchen")

    response = admin_client.get(f"/admin/properties/property/{photo.property_id}/change/")
    form = PropertyPhotoForm(data={"caption": "Big kitchen", "position": 3}, instance=photo)

    assert f'<img src="{photo.source_url}" alt="Kitchen"' in response.text
    assert form.is_valid(), form.errors
    assert form.save().caption == "Big kitchen"
