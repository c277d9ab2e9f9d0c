import pytest

from mls.client import tokens_forget
from tests.mls.fake_source import FakeSource, record


@pytest.fixture(autouse=True)
def _sync_settings(settings):
    settings.MLS_SYNC_ALLOW_PRIVATE = True
    settings.MLS_SYNC_BACKOFF_SECONDS = 0.01
    settings.MLS_SYNC_RETRIES = 2
    settings.MLS_SYNC_TIMEOUT_SECONDS = 1.0
    tokens_forget()


@pytest.fixture
def fake_source():
    with FakeSource([record(n) for n in range(1, 8)], events=True) as fake:
        yield fake
