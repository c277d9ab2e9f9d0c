"""The fail-open Redis cache: an unreachable Redis is a cache miss, never an error."""

import pytest
from django.core.cache.backends.redis import RedisCache

from config.cache import FailOpenRedisCache

pytestmark = pytest.mark.django_db


@pytest.fixture
def dead_redis():
    # Port 1 on loopback refuses connections at once.
    FailOpenRedisCache._down_until = 0.0
    cache = FailOpenRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_timeout": 0.2}})
    yield cache
    FailOpenRedisCache._down_until = 0.0


def test_reads_miss_and_writes_are_dropped(dead_redis):
    assert dead_redis.get("k", "default") == "default"
    assert dead_redis.set("k", "v") is None
    assert dead_redis.add("k", "v") is False
    assert dead_redis.get_many(["a", "b"]) == {}
    assert dead_redis.delete("k") is False
    with pytest.raises(ValueError):
        dead_redis.incr("k")


def test_after_a_failure_redis_is_not_asked_again_for_a_while(dead_redis, monkeypatch):
    dead_redis.get("k")
    calls = []
    monkeypatch.setattr(RedisCache, "get", lambda *args, **kwargs: calls.append(args))

    assert dead_redis.get("k", "default") == "default"
    assert calls == []


def test_probe_raises_so_readyz_sees_the_outage(dead_redis):
    with pytest.raises(Exception):  # noqa: B017  (redis' ConnectionError)
        dead_redis.probe()


def test_api_keeps_serving_with_throttling_on_a_dead_redis(api_client, settings, dead_redis):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    listings = api_client.get("/api/properties/")
    ready = api_client.get("/readyz")

    assert listings.status_code == 200
    assert ready.status_code == 503
    assert ready.json()["failed"] == ["cache"]
