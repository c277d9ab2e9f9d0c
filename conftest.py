"""Fixtures shared by the whole suite."""

import json
import os
import subprocess
import sys

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from jobs.runner import runner_reset
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


@pytest.fixture
def production_setting():
    """Evaluate a settings expression in a fresh interpreter with production settings.

    Settings are computed once at import, so each environment needs its own process.
    """

    def evaluate(expression, **environment):
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
        }
        # DJANGO_DEBUG is pinned so a developer's .env (which turns debug on) cannot leak in.
        env.update(
            {
                "DJANGO_SECRET_KEY": "x" * 50,
                "DJANGO_DEBUG": "false",
                "DJANGO_SETTINGS_MODULE": "config.settings",
                **environment,
            }
        )
        code = f"import json; from django.conf import settings; print(json.dumps({expression}))"
        # Our own interpreter running our own code: nothing untrusted reaches the command.
        output = subprocess.run(  # noqa: S603
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        return json.loads(output.stdout)

    return evaluate


@pytest.fixture
def embedded(settings):
    """Background jobs on the embedded runner, as `make run` has them (no broker)."""
    settings.CELERY_BROKER_URL = ""
    runner_reset()
    yield
    runner_reset()
