"""A database that is down, out of pool connections or cancelling queries answers 503 JSON."""

from unittest import mock

import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_raise(api_client, client):
    api_client.raise_request_exception = False
    client.raise_request_exception = False


def test_api_view_answers_503_json_with_retry_after(api_client, no_raise):
    with mock.patch(
        "properties.views.PropertyViewSet.get_queryset",
        side_effect=OperationalError("couldn't get a connection after 3.00 sec"),
    ):
        response = api_client.get("/api/properties/")

    assert response.status_code == 503
    assert response.json() == {
        "detail": "The database is unavailable or overloaded; try again shortly."
    }
    assert response["Retry-After"] == "5"


def test_statement_timeout_is_503_too(api_client, no_raise):
    cancelled = OperationalError("canceling statement due to statement timeout")
    with mock.patch("users.views.UserViewSet.get_queryset", side_effect=cancelled):
        response = api_client.get("/api/users/1/")

    assert response.status_code == 503


def test_outside_drf_a_database_error_is_503_json(client, no_raise, staff):
    # Given a signed-in staff member, whose session the admin loads from the database
    client.force_login(staff)

    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore._get_session_from_db",
        side_effect=OperationalError("down"),
    ):
        response = client.get("/admin/")

    assert response.status_code == 503
    assert response.json()["detail"].startswith("The database is unavailable")


def test_other_errors_stay_500(api_client, no_raise):
    with mock.patch("users.views.UserViewSet.get_queryset", side_effect=RuntimeError):
        response = api_client.get("/api/users/1/")

    assert response.status_code == 500


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")
def test_a_real_statement_timeout_on_postgresql_answers_503(api_client, no_raise):
    # Given a query that runs past the statement timeout (shortened for the test)
    def runaway_queryset(view):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 50")
            cursor.execute("SELECT pg_sleep(2)")

    # When the API runs it
    with mock.patch("properties.views.PropertyViewSet.get_queryset", runaway_queryset):
        response = api_client.get("/api/properties/")

    # Then PostgreSQL cancels it and the client gets a 503, not a 500
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
