"""Read-only requests read from the replica; writes, and reads after them, use the primary.

``replica`` in the test settings mirrors the test database, so the tests count
the queries each alias ran.
"""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from config.db_router import PRIMARY, REPLICA, ReadReplicaRouter, replica_allowed
from users.models import User

pytestmark = pytest.mark.django_db(databases=["default", "replica"])


@pytest.fixture(autouse=True)
def _close_the_replica_connection():
    # The mirror alias has a connection of its own; left open, it stops the test
    # database from being dropped at the end of a PostgreSQL run.
    yield
    connections[REPLICA].close()


@pytest.fixture
def routed(settings):
    settings.DATABASE_ROUTERS = ["config.db_router.ReadReplicaRouter"]


def _queries(method, *args, **kwargs):
    with (
        CaptureQueriesContext(connections[PRIMARY]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = method(*args, **kwargs)
    return response, len(primary), len(replica)


def test_a_get_request_reads_from_the_replica(routed, api_client):
    response, on_primary, on_replica = _queries(api_client.get, "/api/properties/")

    assert response.status_code == 200
    assert on_primary == 0
    assert on_replica >= 1


# A transaction test: in a rolled-back one, SQLite's teardown checks constraints
# through the mirror while the primary still holds the uncommitted user row.
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_write_request_and_its_reads_use_only_the_primary(routed, api_client):
    # Registering reads (uniqueness checks) before and after it writes the user.
    response, on_primary, on_replica = _queries(
        api_client.post,
        "/api/auth/register/",
        {"username": "routed", "email": "routed@example.com", "password": "Tr1cky-Pass-phrase"},
    )

    assert response.status_code == 201
    assert on_replica == 0
    assert on_primary >= 2


def test_a_write_inside_a_get_pins_the_rest_of_the_request_to_the_primary():
    router = ReadReplicaRouter()
    token = replica_allowed.set(True)
    try:
        assert router.db_for_read(User) == REPLICA
        assert router.db_for_write(User) == PRIMARY
        assert router.db_for_read(User) == PRIMARY
    finally:
        replica_allowed.reset(token)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_admin_pages_read_from_the_primary(routed, client, staff):
    client.force_login(staff)

    response, on_primary, on_replica = _queries(client.get, "/admin/")

    assert response.status_code == 200
    assert on_replica == 0
    assert on_primary >= 1


def test_outside_a_request_everything_reads_from_the_primary():
    assert ReadReplicaRouter().db_for_read(User) == PRIMARY


def test_migrations_run_on_the_primary_only():
    router = ReadReplicaRouter()

    assert router.allow_migrate(PRIMARY, "users") is True
    assert router.allow_migrate(REPLICA, "users") is False


def test_without_the_router_a_get_reads_from_the_primary(api_client):
    response, on_primary, on_replica = _queries(api_client.get, "/api/properties/")

    assert response.status_code == 200
    assert on_replica == 0
