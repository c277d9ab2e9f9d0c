"""Schema-driven fuzzing: every operation of /api/schema/, as anonymous, an agent and staff.

schemathesis generates valid and invalid requests from the OpenAPI document
and calls the app in-process; each response must not be a server error, must
match the documented status codes and bodies, and invalid input must be
refused with a 4xx.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.generation import GenerationMode

from config.wsgi import application
from properties.factories import PropertyFactory

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
# Deterministic: the same examples on every run, so CI judges the code, not the
# luck of the draw. Raise max_examples (or drop deterministic) to hunt locally.
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=20,
    deterministic=True,
)


def excluded_checks(case):
    """Built-in checks that cannot judge this case; every other check stays on."""
    # Schema-valid input that business rules refuse (a common password, wrong
    # credentials, an agent id that is not an agent) is a correct 400, not a defect.
    excluded = [schemathesis.checks.positive_data_acceptance]
    if (case.media_type or "").startswith("multipart/"):
        # Werkzeug, which encodes multipart bodies for in-process calls, drops
        # empty-string fields, so the invalid value never reaches the app.
        excluded.append(schemathesis.checks.negative_data_rejection)
    return excluded


FUZZ_SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Keep Django from closing the test's database connection after each request.

    The app is called as a plain WSGI app, so request_finished closes
    connections that are not in autocommit mode, which the test transaction is;
    Django's own test client disconnects the same receiver for the same reason.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def listings(db, agent):
    """Something for GETs to find: a public and a hidden listing of the fuzzing agent."""
    PropertyFactory(listing_agent=agent, status="active")
    PropertyFactory(listing_agent=agent, status="withdrawn")


def _token(user):
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


@schema.parametrize()
@FUZZ_SETTINGS
def test_anonymous(case, listings):
    case.call_and_validate(excluded_checks=excluded_checks(case))


@schema.parametrize()
@FUZZ_SETTINGS
def test_agent(case, listings, agent):
    case.call_and_validate(headers=_token(agent), excluded_checks=excluded_checks(case))


@schema.parametrize()
@FUZZ_SETTINGS
def test_staff(case, listings, staff):
    case.call_and_validate(headers=_token(staff), excluded_checks=excluded_checks(case))
