"""A Redis cache that fails open: an unreachable Redis behaves like an empty cache.

Policy: the cache only ever holds data that can be rebuilt (cached responses,
throttle counters), so losing Redis must not take the API down. While Redis is
unreachable reads miss, writes are dropped and throttling is not enforced
(every request is allowed) — availability over rate limiting. The outage is
logged, and ``/readyz`` reports the cache as down so operators see it.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class FailOpenRedisCache(RedisCache):
    """Django's RedisCache whose operations answer a default when Redis fails."""

    # After a failure the process stops asking Redis for this many seconds, so
    # a Redis that times out does not add its timeout to every request.
    retry_after_seconds = 5.0
    _down_until = 0.0

    def _call(self, method, default, *args, **kwargs):
        return self._guarded(getattr(super(), method), default, *args, **kwargs)

    def _guarded(self, operation, default, *args, **kwargs):
        if time.monotonic() < FailOpenRedisCache._down_until:
            return default
        try:
            return operation(*args, **kwargs)
        except (RedisError, OSError) as exc:
            FailOpenRedisCache._down_until = time.monotonic() + self.retry_after_seconds
            logger.warning(
                "cache unavailable, failing open for %ss: %r", self.retry_after_seconds, exc
            )
            return default

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        # Callers of incr() expect ValueError for a missing key; a miss is the
        # closest thing to "Redis is down" they already handle.
        result = self._call("incr", None, key, delta, version)
        if result is None:
            raise ValueError(f"Key '{key}' not found (cache unavailable).")
        return result

    def window_count(self, key, previous_key, timeout) -> tuple[int, int] | None:
        """Count one hit on ``key`` and read ``previous_key``, in one round trip.

        ``SET NX EX`` creates the counter with its expiry, ``INCR`` counts
        atomically, ``GET`` reads the last window's counter: the rate throttle's
        whole conversation with Redis (config.throttling). None while Redis is
        unavailable, which the throttle treats as "allow" (fail open).
        """

        def count():
            current = self.make_and_validate_key(key)
            previous = self.make_and_validate_key(previous_key)
            pipeline = self._cache.get_client(current, write=True).pipeline(transaction=False)
            pipeline.set(current, 0, ex=int(timeout), nx=True)
            pipeline.incr(current)
            pipeline.get(previous)
            _, hits, previous_hits = pipeline.execute()
            return int(hits), int(previous_hits or 0)

        return self._guarded(count, None)

    def clear(self):
        return self._call("clear", False)

    def probe(self):
        """Round-trip to Redis now, bypassing fail-open and the back-off; raises when down."""
        self._cache.get_client(write=True).ping()
