"""Schema-driven fuzzing: every operation of /api/schema/, as anonymous, an agent and staff.

schemathesis generates valid and invalid requests from the OpenAPI document
and calls the app in-process; each response must not be a server error, must
match the documented status codes and bodies, and invalid input must be
refused with a 4xx.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.generation import GenerationMode

from config.wsgi import application
from properties.factories import PropertyFactory

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=20
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
