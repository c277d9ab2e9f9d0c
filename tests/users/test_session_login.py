"""The browsable API's session login: allowed (SPEC §3), throttled and CSRF-protected.

Any account may sign in at /api-auth/login/, as at the token endpoint: the
session is one more way to carry the same permissions, so it grants nothing
a token would not. What it must not do is let another site act with the
visitor's cookie (CSRF) or give password guessing a path around the lockout
(tests/users/test_login_lockout.py).
"""

import pytest
from django.test import Client

from properties.factories import PropertyFactory
from users.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _csrf_client():
    return Client(enforce_csrf_checks=True)


def _signed_in(user):
    client = _csrf_client()
    page = client.get("/api-auth/login/")
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/api-auth/login/",
        {"username": user.username, "password": DEFAULT_PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    return client


def test_login_form_without_its_csrf_token_is_refused():
    user = UserFactory()
    client = _csrf_client()

    response = client.post(
        "/api-auth/login/", {"username": user.username, "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_session_writes_to_the_api_only_with_the_csrf_token():
    user = UserFactory()
    listing = PropertyFactory()
    client = _signed_in(user)
    url = f"/api/properties/{listing.pk}/favorite/"

    # As an app sends it: JSON (a form body is refused outright, 415)
    forged = client.post(url, content_type="application/json")
    genuine = client.post(
        url,
        content_type="application/json",
        headers={"X-CSRFToken": client.cookies["csrftoken"].value},
    )

    assert forged.status_code == 403
    assert "CSRF" in forged.json()["detail"]
    assert genuine.status_code in {200, 201}
    assert list(user.favorites.values_list("property_id", flat=True)) == [listing.pk]


def test_a_session_reads_the_api_as_its_account():
    user = UserFactory()
    client = _signed_in(user)

    response = client.get("/api/users/me/")

    assert response.status_code == 200
    assert response.json()["id"] == user.pk


def test_log_out_ends_the_session():
    user = UserFactory()
    client = _signed_in(user)

    response = client.post(
        "/api-auth/logout/", headers={"X-CSRFToken": client.cookies["csrftoken"].value}
    )

    assert response.status_code in {200, 302}
    assert client.get("/api/users/me/").status_code in {401, 403}
