"""Celery with real brokers: a worker killed with kill -9 mid-run (on Redis and on RabbitMQ),
and the broker down.

RabbitMQ gives a killed worker's unacknowledged message back as soon as its connection
drops; Redis after the visibility timeout. Either way the run resumes from the mark.
"""

import os
import shutil
import signal
import subprocess
import time

import amqp.exceptions
import kombu
import kombu.exceptions
import pytest
import redis

from mls.factories import MlsSourceFactory
from mls.models import SyncRun
from mls.services import sync_due
from tests.mls.fake_source import FakeSource, record
from tests.mls.hearth_process import HearthProcess, free_port

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BROKER = os.environ.get("HEARTH_TEST_BROKER", "redis://127.0.0.1:6379/5")
AMQP_BROKER = os.environ.get("HEARTH_TEST_AMQP_BROKER", "amqp://guest:guest@127.0.0.1:5672//")


def _unreachable(what: str):
    if os.environ.get("HEARTH_REQUIRE_BROKER"):
        pytest.fail(what)
    pytest.skip(what)


@pytest.fixture
def redis_broker():
    client = redis.Redis.from_url(BROKER, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        _unreachable(f"no Redis at {BROKER} (HEARTH_TEST_BROKER)")
    client.flushdb()
    yield BROKER
    client.flushdb()


def _amqp_purge(connection) -> None:
    # Messages a killed run of this test left behind; no queue yet is nothing to purge.
    try:
        connection.default_channel.queue_purge("celery")
    except amqp.exceptions.NotFound:
        pass


@pytest.fixture
def amqp_broker():
    connection = kombu.Connection(AMQP_BROKER, connect_timeout=2)
    try:
        connection.ensure_connection(max_retries=1)
    except (OSError, kombu.exceptions.OperationalError):
        _unreachable(f"no RabbitMQ at {AMQP_BROKER} (HEARTH_TEST_AMQP_BROKER)")
    with connection:
        _amqp_purge(connection)
    yield AMQP_BROKER
    with kombu.Connection(AMQP_BROKER, connect_timeout=2) as connection:
        _amqp_purge(connection)


@pytest.fixture(params=["redis", "rabbitmq"])
def broker(request):
    """Each broker Hearth supports (CELERY_BROKER_URL): Redis and RabbitMQ."""
    return request.getfixturevalue(f"{'amqp' if request.param == 'rabbitmq' else 'redis'}_broker")


def _wait(predicate, *, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_run_is_resumed_by_another_without_loss_or_double_apply(
    tmp_path, broker
):
    with FakeSource([record(n) for n in range(1, 61)]) as fake:
        fake.page_delay = 0.4  # 12 pages of 5: about 5 s, time to kill the worker mid-run
        hearth = HearthProcess(
            tmp_path,
            CELERY_BROKER_URL=broker,
            MLS_SYNC_ALLOW_PRIVATE="true",
            MLS_SYNC_LEASE_SECONDS="3",
            CELERY_VISIBILITY_TIMEOUT="3",
            MLS_SYNC_TICK_SECONDS="1",
        )
        try:
            hearth.manage("migrate", "--no-input")
            hearth.python(
                "from mls.models import MlsSource; from mls.services import sync_run_request; "
                f"s = MlsSource.objects.create(name='A', url='{fake.url}', page_size=5); "
                "sync_run_request(source=s, trigger='api')"
            )
            first = hearth.worker()

            # When the worker is killed after a few pages committed
            _wait(
                lambda: hearth.sql("SELECT count(*) FROM properties_property")[0][0] >= 10,
                timeout=60, what="the first pages",
            )  # fmt: skip
            os.kill(first.pid, signal.SIGKILL)
            first.wait()
            done_before = hearth.sql("SELECT count(*) FROM properties_property")[0][0]
            assert 10 <= done_before < 60
            assert hearth.sql("SELECT status FROM mls_syncrun") == [("running",)]

            # Then another worker (with beat) resumes the same run to the end
            hearth.worker("--beat", "--schedule", str(tmp_path / "beat-schedule"))
            _wait(
                lambda: hearth.sql("SELECT status FROM mls_syncrun")[0][0] == "succeeded",
                timeout=90, what="the resumed run",
            )  # fmt: skip

            counts = "SELECT created, unchanged, failed, (SELECT count(*) FROM mls_syncrun)"
            (created, unchanged, failed, runs) = hearth.sql(f"{counts} FROM mls_syncrun")[0]
            assert (created, failed, runs) == (60, 0, 1)
            # Re-read from the mark: at most a page's last records, never re-applied.
            assert unchanged <= 5
            keys = [row[0] for row in hearth.sql("SELECT source_key FROM properties_property")]
            assert sorted(keys, key=int) == [str(n) for n in range(1, 61)] and len(keys) == 60
            assert hearth.sql("SELECT count(*) FROM properties_pricechange") == [(0,)]
        finally:
            hearth.stop()


@pytest.fixture
def dead_broker_port():
    return free_port()


def test_broker_down_the_api_still_serves_and_queued_syncs_are_sent_when_it_returns(
    staff_api, settings, dead_broker_port, tmp_path
):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{dead_broker_port}/0"
    settings.MLS_SYNC_ALLOW_PRIVATE = True
    source = MlsSourceFactory()

    # When the broker is down, the API still answers, and the run is queued
    started = time.monotonic()
    response = staff_api.post(f"/api/mls-sources/{source.pk}/sync/")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    assert time.monotonic() - started < 10
    assert staff_api.get("/api/sync-runs/").status_code == 200
    SyncRun.objects.update(queued_at=SyncRun.objects.get().queued_at.replace(year=2000))
    assert sync_due() == []

    # When the broker returns, the schedule's tick sends the queued run to it
    server = subprocess.Popen(  # noqa: S603
        [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(dead_broker_port),
         "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        client = redis.Redis(port=dead_broker_port)
        _wait(lambda: _ping(client), timeout=10, what="Redis")
        run = SyncRun.objects.get()
        assert sync_due() == [run.pk]
        assert client.llen("celery") == 1
    finally:
        server.kill()
        server.wait()


def _ping(client):
    try:
        return client.ping()
    except redis.ConnectionError:
        return False
