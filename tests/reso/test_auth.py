"""Who reads the RESO Web API: OAuth2 API clients, Hearth JWT holders; never anonymous."""

import pytest
from rest_framework.test import APIClient

from properties.factories import PropertyFactory
from reso.factories import CLIENT_SECRET, ApplicationFactory
from tests.reso.conftest import ROOT, basic, error, jwt_client, keys
from users.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def withdrawn(agent):
    return PropertyFactory(status="withdrawn", listing_agent=agent, mls_number="W0000001")


@pytest.fixture
def public(agent):
    return PropertyFactory(status="active", listing_agent=agent, mls_number="A0000001")


@pytest.mark.parametrize("path", ["", "$metadata", "Property", "Property('1')", "EntityEvent"])
def test_anonymous_is_refused_everywhere(api_client, path):
    response = api_client.get(ROOT + path)

    assert error(response, 401) == "Authentication credentials were not provided."
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_bad_token_is_refused(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    assert error(api_client.get(ROOT + "Property"), 401) == (
        "Given token not valid for any token type"
    )


def test_client_credentials_token_reads_public_listings_only(odata, public, withdrawn):
    response = odata.get(ROOT + "Property")

    assert keys(response) == [str(public.pk)]
    assert error(odata.get(f"{ROOT}Property('{withdrawn.pk}')"), 404) == (
        f"No Property with ListingKey '{withdrawn.pk}'."
    )


def test_the_token_endpoint_refuses_a_wrong_secret_and_other_grants(application, user):
    token_url = "/reso/oauth/token"
    wrong = APIClient().post(
        token_url,
        {"grant_type": "client_credentials"},
        format="multipart",
        HTTP_AUTHORIZATION=basic(application.client_id, "wrong"),
    )
    password_grant = APIClient().post(
        token_url,
        {"grant_type": "password", "username": user.username, "password": DEFAULT_PASSWORD},
        format="multipart",
        HTTP_AUTHORIZATION=basic(application.client_id, CLIENT_SECRET),
    )

    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    assert password_grant.status_code == 400
    assert password_grant.json()["error"] == "unauthorized_client"


def test_client_credentials_in_the_body_work_too(db):
    application = ApplicationFactory()
    response = APIClient().post(
        "/reso/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": application.client_id,
            "client_secret": CLIENT_SECRET,
        },
        format="multipart",
    )

    assert response.status_code == 200
    assert response.json()["token_type"] == "Bearer"
    assert response.json()["expires_in"] == 3600


def test_jwt_of_a_client_user_reads_like_the_public(user, public, withdrawn):
    response = jwt_client(user).get(ROOT + "Property")

    assert keys(response) == [str(public.pk)]


def test_jwt_of_the_agent_includes_their_own_withdrawn_listing(agent, public, withdrawn):
    response = jwt_client(agent).get(ROOT + "Property", {"$orderby": "ListingKey"})

    assert keys(response) == [str(public.pk), str(withdrawn.pk)]


def test_jwt_of_staff_reads_everything(staff, public, withdrawn):
    response = jwt_client(staff).get(ROOT + "Property", {"$orderby": "ListingKey"})

    assert keys(response) == [str(public.pk), str(withdrawn.pk)]


def test_an_api_client_cannot_write(odata, public):
    response = odata.patch(f"{ROOT}Property('{public.pk}')", {"ListPrice": 1}, format="json")

    assert error(response, 403) == (
        "Only agents and staff write listings; an API client only reads."
    )
    public.refresh_from_db()
    assert public.price != 1


def test_staff_write_through_odata_uses_the_api_rules(staff):
    api = jwt_client(staff)
    refused = api.post(ROOT + "Property", {"ListPrice": -5, "City": "Austin"}, format="json")
    created = api.post(
        ROOT + "Property",
        {
            "ListPrice": 275000, "PropertyType": "Residential", "UnparsedAddress": "1 Canary Way",
            "City": "Austin", "StateOrProvince": "TX", "PostalCode": "78701",
        },
        format="json",
    )  # fmt: skip

    message = error(refused, 400)
    assert "ListPrice:" in message
    assert "UnparsedAddress: This field is required." in message
    assert created.status_code == 201
    assert created.json()["ListPrice"] == 275000
    assert created["Location"].endswith(f"/reso/odata/Property('{created.json()['ListingKey']}')")
