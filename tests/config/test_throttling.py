"""Throttles are counted atomically: parallel requests cannot exceed a limit (finding 8).

DRF's SimpleRateThrottle reads the caller's history, decides, then writes it
back; requests that read before any of them wrote all pass. The tests make
that interleaving certain, with a cache whose reads are slow, and then run
30 requests at once against a limit of 10: exactly 10 must pass.
"""

import os
import shutil
import socket
import subprocess
import threading
import time

import pytest
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.settings import api_settings
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from config.cache import FailOpenRedisCache
from config.throttling import AtomicRateThrottle

PARALLEL, LIMIT = 30, 10


class SlowReadsCache(LocMemCache):
    """The in-process cache, with a pause in every read: a read-then-write races for sure."""

    def __init__(self):
        super().__init__("throttle-test", {})

    def get(self, *args, **kwargs):
        time.sleep(0.02)
        return super().get(*args, **kwargs)


class InquiryLikeView(APIView):
    throttle_scope = "inquiries"


def _scoped_throttle_class():
    # Whatever the project configures for throttle_scope views (inquiries, auth).
    (scoped,) = [c for c in api_settings.DEFAULT_THROTTLE_CLASSES if "Scoped" in c.__name__]
    return scoped


def _admitted_in_parallel(throttle_class, cache, *, address="198.51.100.9"):
    request = APIRequestFactory().post("/api/properties/1/inquiries/", REMOTE_ADDR=address)
    request.user = None
    view = InquiryLikeView()
    start = threading.Barrier(PARALLEL)
    results = []

    def send():
        throttle = throttle_class()
        throttle.cache = cache
        start.wait()
        results.append(throttle.allow_request(request, view))

    threads = [threading.Thread(target=send) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def inquiry_limit(monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "inquiries", f"{LIMIT}/hour")


def test_thirty_parallel_inquiries_pass_a_limit_of_ten_exactly_ten_times(inquiry_limit):
    results = _admitted_in_parallel(_scoped_throttle_class(), SlowReadsCache())

    assert results.count(True) == LIMIT
    assert results.count(False) == PARALLEL - LIMIT


def test_every_configured_throttle_counts_atomically():
    for throttle_class in api_settings.DEFAULT_THROTTLE_CLASSES:
        assert issubclass(throttle_class, AtomicRateThrottle), throttle_class


def test_refused_requests_do_not_use_up_places_and_retry_after_is_the_window(inquiry_limit):
    cache = SlowReadsCache()
    _admitted_in_parallel(_scoped_throttle_class(), cache)
    throttle = _scoped_throttle_class()()
    throttle.cache = cache
    request = APIRequestFactory().post("/", REMOTE_ADDR="198.51.100.9")
    request.user = None

    assert throttle.allow_request(request, InquiryLikeView()) is False
    assert 0 < throttle.wait() <= 3600
    assert cache.get(f"{throttle.key}:{int(throttle.now // 3600)}") == LIMIT


def test_the_last_windows_requests_count_while_they_are_recent(inquiry_limit, monkeypatch):
    throttle_class = _scoped_throttle_class()
    cache = LocMemCache("throttle-window-test", {})
    request = APIRequestFactory().post("/", REMOTE_ADDR="198.51.100.9")
    request.user = None
    clock = [3600 * 1000 + 3590.0]  # ten seconds before a window ends

    def allow():
        throttle = throttle_class()
        throttle.cache = cache
        throttle.timer = lambda: clock[0]
        return throttle.allow_request(request, InquiryLikeView())

    assert [allow() for _ in range(LIMIT)] == [True] * LIMIT
    clock[0] += 20  # ten seconds into the next window: the last one still weighs ~99 %
    assert allow() is False
    clock[0] += 1800  # half-way through: about half of the last window's requests count
    assert [allow() for _ in range(LIMIT)].count(True) == 5


@pytest.fixture
def live_redis():
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    port = int(os.environ.get("HEARTH_TEST_REDIS_PORT", 0))
    if not port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    process = subprocess.Popen(  # noqa: S603  (a local binary with fixed arguments)
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    cache = FailOpenRedisCache(f"redis://127.0.0.1:{port}/0", {"KEY_PREFIX": "throttle-test"})
    try:
        for _ in range(50):
            try:
                cache.probe()
                break
            except Exception:  # noqa: BLE001  (not up yet)
                time.sleep(0.1)
        FailOpenRedisCache._down_until = 0.0
        yield cache
    finally:
        process.terminate()
        process.wait(timeout=10)
        FailOpenRedisCache._down_until = 0.0


def test_thirty_parallel_requests_against_real_redis_pass_exactly_ten(inquiry_limit, live_redis):
    results = _admitted_in_parallel(_scoped_throttle_class(), live_redis)

    assert results.count(True) == LIMIT
