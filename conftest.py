"""Fixtures shared by the whole suite."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from users.factories import AgentFactory, StaffFactory, UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle counters and cached responses live in the cache; tests must not share them.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def user(db):
    """A signed-up client."""
    return UserFactory()


@pytest.fixture
def agent(db):
    return AgentFactory()


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def client_api(api_client, user):
    api_client.force_authenticate(user)
    return api_client


@pytest.fixture
def agent_api(api_client, agent):
    api_client.force_authenticate(agent)
    return api_client


@pytest.fixture
def staff_api(api_client, staff):
    api_client.force_authenticate(staff)
    return api_client
