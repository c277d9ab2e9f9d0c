"""Fixtures for the RESO Web API tests: an API client with a token, and OData helpers."""

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from reso.factories import CLIENT_SECRET, ApplicationFactory

ROOT = "/reso/odata/"


@pytest.fixture
def application(db):
    return ApplicationFactory()


@pytest.fixture
def client_token(application):
    """An access token from the token endpoint, by the client-credentials grant."""
    response = APIClient().post(
        "/reso/oauth/token",
        {"grant_type": "client_credentials"},
        format="multipart",
        HTTP_AUTHORIZATION=basic(application.client_id, CLIENT_SECRET),
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def basic(user: str, password: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture
def odata(client_token):
    """An HTTP client holding an API client's bearer token (reads what the public reads)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {client_token}")
    return client


def jwt_client(user) -> APIClient:
    """An HTTP client holding ``user``'s Hearth JWT access token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


def values(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["value"]


def keys(response, key="ListingKey") -> list[str]:
    return [row[key] for row in values(response)]


def error(response, status_code: int) -> str:
    """The message of an OData error answer, after checking its status and shape."""
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    return body["error"]["message"]
