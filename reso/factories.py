"""Factories for the RESO Web API's rows, shared by the tests and the certification how-to."""

import factory
from factory.django import DjangoModelFactory
from oauth2_provider.models import Application

# Every factory API client has this secret (stored hashed, as the admin stores it).
CLIENT_SECRET = "reso-client-secret-for-tests-0123456789"


class ApplicationFactory(DjangoModelFactory):
    """An API client staff registered: OAuth2 client credentials, confidential."""

    class Meta:
        model = Application

    name = factory.Sequence(lambda n: f"MLS consumer {n}")
    client_id = factory.Sequence(lambda n: f"reso-client-{n}")
    client_secret = CLIENT_SECRET
    client_type = Application.CLIENT_CONFIDENTIAL
    authorization_grant_type = Application.GRANT_CLIENT_CREDENTIALS
