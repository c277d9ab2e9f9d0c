"""Schema-driven fuzzing with every schemathesis check, as anonymous, a client, an agent and staff.

schemathesis generates valid and invalid requests from /api/schema/ and calls
the app in-process. Every built-in check runs (the CLI's ``--checks all``):
no server error, documented status codes, content types, headers and bodies,
invalid input refused, valid input accepted, authentication honoured, deleted
resources gone. The stateful tests follow the document's OpenAPI links
(create -> read -> update -> delete, ETag -> If-Match) with the same checks.

Allowances (each check a case is excused from, and why) are in ``allowances``;
nothing else is excluded.
"""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test
from rest_framework.authtoken.models import Token
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.generation import GenerationMode

from config.wsgi import application
from properties.factories import PropertyFactory
from users.factories import AgentFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.fuzz

load_all_checks()
ALL_CHECKS = list(CHECKS.get_all())
checks = schemathesis.checks

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
# Deterministic: the same examples on every run, so CI judges the code, not the
# luck of the draw. Raise max_examples (or drop deterministic) to hunt locally.
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=20,
    deterministic=True,
)


def allowances(case):
    """The checks this case is excused from, each with its reason."""
    excused = []
    if case.method.upper() in {"POST", "PUT", "PATCH"}:
        # Bodies that the schema allows but a rule JSON Schema cannot state refuses
        # with a correct 400: a weak or common password, wrong credentials, a
        # price of 0.00, sale fields on a listing that is not sold, a duplicate
        # MLS number, a listing_agent_id that is not an agent, an avatar sent as
        # JSON. Query parameters have no such excuse: every GET must accept
        # whatever the document allows.
        excused.append(checks.positive_data_acceptance)
    if (case.media_type or "").startswith("multipart/"):
        # Werkzeug, which encodes multipart bodies for in-process calls, drops
        # empty-string fields, so the invalid value never reaches the app.
        excused.append(checks.negative_data_rejection)
    if (case.headers or {}).get("If-Match") is not None:
        # An If-Match the schema allows (any string) but that names no current
        # ETag is the documented 412 precondition failure, not a refusal of
        # valid data; a DELETE carries no body for the excuse above to cover.
        excused.append(checks.positive_data_acceptance)
    query = case.query or {}
    if query.get("radius_km") not in (None, "") and query.get("near") in (None, ""):
        # radius_km without near=lat,lng answers 400 naming radius_km: a
        # dependency between two query parameters that OpenAPI cannot state
        # (it is in the parameter's description).
        excused.append(checks.positive_data_acceptance)
    if any(query.get(name) not in (None, "") for name in ("bbox", "near")):
        # bbox and near are strings of 4 and 2 comma-separated numbers within
        # latitude and longitude ranges; the document gives their form in the
        # description and an example, but no JSON Schema type states it, so a
        # schema-valid string may be a correct 400.
        excused.append(checks.positive_data_acceptance)
    if "cursor" in query:
        # A cursor is an opaque value the server issued in a next or previous
        # link, so any other string is a correct 400; and cursor pages need an
        # ordering by a never-empty key and no page=, dependencies between
        # parameters that OpenAPI cannot state (they are in its description).
        excused.append(checks.positive_data_acceptance)
    page_size = query.get("page_size")
    if _above(page_size, 100):
        # SPEC 3: a page size above 100 is capped at 100, not refused; the
        # document says "at most 100" so generated clients stay within it.
        excused.append(checks.negative_data_rejection)
    return excused


def _above(value, limit):
    try:
        return float(value) > limit
    except (TypeError, ValueError):
        return False


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
def fuzz_agent(db):
    return AgentFactory()


@pytest.fixture
def listings(db, fuzz_agent):
    """Something for GETs to find: a public and a hidden listing of the fuzzing agent."""
    PropertyFactory(listing_agent=fuzz_agent, status="active")
    PropertyFactory(listing_agent=fuzz_agent, status="withdrawn")


ROLES = {
    "anonymous": lambda agent: None,
    "client": lambda agent: UserFactory(),
    "agent": lambda agent: agent,
    "staff": lambda agent: StaffFactory(),
}


@pytest.fixture(params=list(ROLES))
def auth_headers(request, listings, fuzz_agent):
    user = ROLES[request.param](fuzz_agent)
    if user is None:
        return {}
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


@schema.parametrize()
@FUZZ_SETTINGS
def test_operations(case, auth_headers):
    case.call_and_validate(
        headers=auth_headers or None, checks=ALL_CHECKS, excluded_checks=allowances(case)
    )


class StatefulRun(schema.as_state_machine()):
    """Follows the OpenAPI links with every check, as the user whose headers are set."""

    headers: dict = {}

    def setup(self):
        # Each scenario starts from the same data, so hypothesis can replay one.
        cache.clear()
        self._savepoint = transaction.savepoint()
        super().setup()

    def teardown(self):
        super().teardown()
        transaction.savepoint_rollback(self._savepoint)
        cache.clear()

    def get_call_kwargs(self, case):
        return {"headers": self.headers} if self.headers else {}

    def validate_response(self, response, case, additional_checks=None, **kwargs):
        case.validate_response(
            response,
            checks=ALL_CHECKS,
            excluded_checks=allowances(case),
            headers=self.headers or None,
            transport_kwargs=kwargs,
        )


def test_stateful_links(auth_headers):
    StatefulRun.headers = auth_headers
    run_state_machine_as_test(
        StatefulRun,
        settings=settings(
            max_examples=25,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            # The database outlives each scenario within one test, so a replay
            # while shrinking sees other ids; report the failure as found.
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        ),
    )
