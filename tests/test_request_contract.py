"""What the API accepts: JSON bodies (multipart only for uploads), and never a 500 for bad input."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from properties.factories import PropertyFactory, PropertyPhotoFactory
from properties.models import Property, PropertyPhoto

pytestmark = pytest.mark.django_db

LIST = "/api/properties/"
NEW_LISTING = {
    "property_type": "residential",
    "street_address": "12 Elm St",
    "city": "Austin",
    "state": "TX",
    "postal_code": "78701",
    "price": "450000.00",
}


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), color=(200, 80, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")


def nested(levels):
    return "[" * levels + "]" * levels


class TestEmptyMlsNumber:
    @pytest.mark.parametrize("empty", ["", None])
    def test_create_with_an_empty_number_generates_one(self, agent_api, empty):
        first = agent_api.post(LIST, {**NEW_LISTING, "mls_number": empty})
        second = agent_api.post(LIST, {**NEW_LISTING, "mls_number": empty})

        assert (first.status_code, second.status_code) == (201, 201)
        assert first.json()["mls_number"] == f"H{first.json()['id']:07d}"
        assert second.json()["mls_number"] == f"H{second.json()['id']:07d}"
        assert not Property.objects.filter(mls_number="").exists()

    @pytest.mark.parametrize("empty", ["", None])
    def test_update_cannot_remove_the_number(self, agent_api, agent, empty):
        listing = PropertyFactory(listing_agent=agent, mls_number="KEEP-1")

        response = agent_api.patch(f"{LIST}{listing.pk}/", {"mls_number": empty})

        assert response.status_code == 400
        assert list(response.json()) == ["mls_number"]
        listing.refresh_from_db()
        assert listing.mls_number == "KEEP-1"


class TestPhotoPosition:
    def test_append_after_the_highest_position_is_400_naming_position(self, agent_api, agent):
        listing = PropertyFactory(listing_agent=agent)
        PropertyPhotoFactory(property=listing, position=PropertyPhoto.MAX_POSITION)

        response = agent_api.post(
            f"{LIST}{listing.pk}/photos/", {"image": png()}, format="multipart"
        )

        assert response.status_code == 400
        assert list(response.json()) == ["position"]
        assert listing.photos.count() == 1

    def test_a_position_past_smallint_is_400(self, agent_api, agent):
        listing = PropertyFactory(listing_agent=agent)

        response = agent_api.post(
            f"{LIST}{listing.pk}/photos/",
            {"image": png(), "position": PropertyPhoto.MAX_POSITION + 1},
            format="multipart",
        )

        assert response.status_code == 400
        assert list(response.json()) == ["position"]
        assert listing.photos.count() == 0


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/api/auth/register/"),
        ("post", "/api/auth/token/"),
        ("post", "/api/auth/jwt/"),
        ("post", "/api/auth/jwt/refresh/"),
        ("patch", "/api/users/me/"),
        ("post", LIST),
        ("put", "{listing}"),
        ("patch", "{listing}"),
        ("post", "{listing}inquiries/"),
    ],
)
@pytest.mark.parametrize("levels", [1000, 100_000])
def test_deeply_nested_json_is_400_on_every_json_endpoint(staff_api, method, path, levels):
    listing = PropertyFactory()
    url = path.format(listing=f"{LIST}{listing.pk}/")

    response = getattr(staff_api, method)(url, nested(levels), content_type="application/json")

    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_json_nested_within_the_limit_is_parsed(agent_api):
    body = {**NEW_LISTING, "description": "x"}

    response = agent_api.post(LIST, body)

    assert response.status_code == 201


@pytest.mark.parametrize("path", ["/api/auth/register/", "/api/auth/token/", LIST])
@pytest.mark.parametrize("body_format", ["multipart", "form"])
def test_form_bodies_are_415_outside_uploads(staff_api, path, body_format):
    kwargs = (
        {"format": "multipart"}
        if body_format == "multipart"
        else {"content_type": "application/x-www-form-urlencoded"}
    )
    data = {"username": "ana"} if body_format == "multipart" else "username=ana"
    count = Property.objects.count()

    response = staff_api.post(path, data, **kwargs)

    assert response.status_code == 415
    assert "detail" in response.json()
    assert Property.objects.count() == count


def test_photo_upload_takes_multipart_only(agent_api, agent):
    listing = PropertyFactory(listing_agent=agent)

    response = agent_api.post(f"{LIST}{listing.pk}/photos/", {"caption": "x"})

    assert response.status_code == 415
    assert listing.photos.count() == 0


def test_profile_takes_json_and_multipart(client_api, user):
    as_json = client_api.patch("/api/users/me/", {"bio": "json"})
    as_multipart = client_api.patch("/api/users/me/", {"phone": "555"}, format="multipart")

    assert (as_json.status_code, as_multipart.status_code) == (200, 200)
    user.refresh_from_db()
    assert (user.bio, user.phone) == ("json", "555")
