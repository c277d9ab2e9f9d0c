"""Request rate limits shared by the API's views.

DRF's ``SimpleRateThrottle`` reads the caller's request history from the cache,
checks it and writes it back: two requests at once both read the same history
and both pass, so 30 parallel inquiries got 12 through a limit of 10. Here a
request is counted by one atomic increment (Redis ``INCR``, in one pipelined
round trip with the counter's creation and the last window's read; the
in-process cache's ``incr`` under its lock) and admitted only if the number
that increment answered is within the limit, so no two requests can both
take the last place.
"""

import math

from rest_framework import throttling
from rest_framework.throttling import BaseThrottle


class AtomicRateThrottle(throttling.SimpleRateThrottle):
    """A sliding-window counter: this window's count plus the last window's, weighted.

    Two counters per caller instead of a list of timestamps, each changed only
    by ``incr``. The previous window counts in proportion to how much of it
    still lies within one period of now, which approximates DRF's sliding log
    without letting a caller spend two windows' allowance at a boundary.
    """

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = math.floor(self.now / self.duration)
        self.elapsed = self.now - window * self.duration
        current_key, previous_key = f"{self.key}:{window}", f"{self.key}:{window - 1}"
        counted = self._count(current_key, previous_key)
        if counted is None:
            return True  # the cache is unavailable: fail open (config.cache)
        self.current, previous = counted
        self.previous_weighted = previous * (1 - self.elapsed / self.duration)
        if self.previous_weighted + self.current <= self.num_requests:
            return True
        # A refused request gives its place back, so the count stays the number
        # admitted and a caller who keeps knocking is not locked out for longer.
        self._uncount(current_key)
        self.current -= 1
        return False

    def _count(self, key, previous_key) -> tuple[int, int] | None:
        # Kept two periods: the next window reads this counter as its previous one.
        timeout = 2 * self.duration
        window_count = getattr(self.cache, "window_count", None)
        if window_count is not None:
            return window_count(key, previous_key, timeout)  # Redis: one round trip
        # add() is a no-op when the counter exists; incr() is the atomic step.
        self.cache.add(key, 0, timeout)
        try:
            hits = self.cache.incr(key)
        except ValueError:
            # Expired between add() and incr(), or the cache is unavailable.
            if not self.cache.add(key, 1, timeout):
                return None
            hits = 1
        return hits, self.cache.get(previous_key) or 0

    def _uncount(self, key) -> None:
        try:
            self.cache.decr(key)
        except ValueError:
            pass

    def wait(self):
        """Seconds until a request would be admitted again (``Retry-After``)."""
        remaining = self.duration - self.elapsed
        if self.current + 1 > self.num_requests:
            return remaining  # this window alone is full
        # Otherwise the last window's weight must fade enough to free a place.
        previous = self.previous_weighted / (1 - self.elapsed / self.duration)
        if previous <= 0:
            return remaining
        fade = self.duration * (1 - (self.num_requests - self.current - 1) / previous)
        return max(1.0, min(remaining, fade - self.elapsed))


class ScopedRateThrottle(throttling.ScopedRateThrottle, AtomicRateThrottle):
    """DRF's per-view scopes (``throttle_scope``: auth, inquiries), counted atomically."""


class AnonOrUserRateThrottle(throttling.UserRateThrottle, AtomicRateThrottle):
    """One limit per caller: THROTTLE_USER for a signed-in user, THROTTLE_ANON per address.

    DRF's AnonRateThrottle and UserRateThrottle pair checks an anonymous caller
    twice (the user throttle falls back to the address too): two cache reads
    and writes per request, two Redis round trips each in production, for the
    limit the anonymous rate alone sets.
    """

    def __init__(self):
        # The rate depends on who is asking; allow_request() picks it.
        pass

    def allow_request(self, request, view):
        self.scope = "user" if request.user and request.user.is_authenticated else "anon"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


def client_address(request) -> str:
    """The caller's address by the rule every limit shares (settings.TRUSTED_PROXIES).

    DRF's own: ``X-Forwarded-For`` is believed through ``NUM_PROXIES`` proxies we
    run and ignored otherwise, so a forged header cannot dodge a limit. Login
    lockouts (django-axes, ``AXES_CLIENT_IP_CALLABLE``) use it too, rather than
    django-ipware's own guess, so the API's and the logins' idea of "one
    address" cannot drift apart.
    """
    return BaseThrottle().get_ident(request)
