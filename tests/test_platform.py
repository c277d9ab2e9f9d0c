"""Health probes, error shapes and request limits that apply to the whole API."""

from unittest import mock

import pytest
from django.db.utils import OperationalError


def test_healthz(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_ok(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_readyz_503_names_the_database_when_it_is_down(client):
    with mock.patch("config.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]


@pytest.mark.django_db
def test_readyz_503_names_the_cache_when_redis_is_configured_and_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    with mock.patch("config.views.cache.set", side_effect=ConnectionError("refused")):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]


@pytest.mark.django_db
class TestErrorsAreJSON:
    def test_unknown_api_url_is_json_404(self, api_client):
        response = api_client.get("/api/nothing-here/")

        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}

    def test_malformed_json_is_400(self, api_client):
        response = api_client.post(
            "/api/auth/register/", data='{"username": ', content_type="application/json"
        )

        assert response.status_code == 400
        assert "JSON parse error" in response.json()["detail"]

    def test_nul_bytes_are_400_naming_the_field(self, api_client):
        response = api_client.post(
            "/api/auth/register/",
            {"username": "a\x00b", "email": "a@example.com", "password": "Tr1cky-Pass-phrase"},
        )

        assert response.status_code == 400
        assert "username" in response.json()

    def test_over_long_strings_are_400_naming_the_field(self, api_client):
        response = api_client.post(
            "/api/auth/register/",
            {"username": "u" * 500, "email": "a@example.com", "password": "Tr1cky-Pass-phrase"},
        )

        assert response.status_code == 400
        assert "username" in response.json()

    def test_oversized_body_is_413_json(self, api_client, settings):
        settings.MAX_REQUEST_BODY_SIZE = 1000

        response = api_client.post(
            "/api/auth/register/", data="x" * 2000, content_type="application/json"
        )

        assert response.status_code == 413
        assert "too large" in response.json()["detail"]

    def test_unhandled_error_under_api_is_json_500(self, api_client):
        api_client.raise_request_exception = False
        with mock.patch("users.views.UserViewSet.get_queryset", side_effect=RuntimeError):
            response = api_client.get("/api/users/1/")

        assert response.status_code == 500
        assert response.json() == {"detail": "Server error."}


def test_api_root_links_every_entry_point(client):
    body = client.get("/api/", HTTP_ACCEPT="application/json").json()

    assert body == {
        "properties": "http://testserver/api/properties/",
        "favorites": "http://testserver/api/favorites/",
        "inquiries": "http://testserver/api/inquiries/",
        "users": "http://testserver/api/users/",
        "mls-sources": "http://testserver/api/mls-sources/",
        "sync-runs": "http://testserver/api/sync-runs/",
        "market-stats": "http://testserver/api/market-stats/",
        "register": "http://testserver/api/auth/register/",
        "token": "http://testserver/api/auth/token/",
        "jwt": "http://testserver/api/auth/jwt/",
        "schema": "http://testserver/api/schema/",
        "docs": "http://testserver/api/docs/",
    }


def test_api_root_renders_in_a_browser(client):
    response = client.get("/api/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert b"Api Root" in response.content


def test_favicon_is_served_so_browsers_log_no_404(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
