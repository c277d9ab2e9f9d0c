"""Shared machinery for the fault scripts: throwaway PostgreSQL and Redis, gunicorn, load.

Everything runs on 127.0.0.1 on ports of its own (PostgreSQL 55432, Redis
56379, gunicorn 185xx; FAULTS_PG_PORT, FAULTS_REDIS_PORT and FAULTS_PORT_BASE
move them), so the scripts never touch the shared services a
developer's test suite uses. PostgreSQL runs from a scratch cluster under
/tmp (initdb refuses root, so the cluster belongs to an unprivileged user).
"""

import http.client
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.production import LOG_DIR, Gunicorn, production_env  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_PORT = int(os.environ.get("FAULTS_PG_PORT", 55432))
# A scratch cluster, recreated when missing; nothing secret lives in it.
PG_DATA = Path(os.environ.get("FAULTS_PG_DATA", "/tmp/hearth-ops-pg"))  # noqa: S108
PG_USER = "pgops"
REDIS_PORT = int(os.environ.get("FAULTS_REDIS_PORT", 56379))
DB_NAME = "hearth_ops_faults"
DATABASE_URL = f"postgres://{PG_USER}@127.0.0.1:{PG_PORT}/{DB_NAME}"
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"


def port(default):
    """The port a script's gunicorn listens on: ``default`` (185xx), or moved into
    FAULTS_PORT_BASE + (default % 100) when several people share one machine."""
    base = os.environ.get("FAULTS_PORT_BASE")
    return int(base) + default % 100 if base else default


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def _as_pg_user(args, **kwargs):
    if os.geteuid() == 0:
        args = ["su", PG_USER, "-s", "/bin/sh", "-c", " ".join(args)]
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)


class Postgres:
    """A scratch PostgreSQL cluster on its own port."""

    def ensure_user(self):
        if os.geteuid() == 0 and subprocess.run(["id", PG_USER], capture_output=True).returncode:
            subprocess.run(["useradd", "--create-home", PG_USER], check=True)

    def start(self):
        self.ensure_user()
        if not (PG_DATA / "PG_VERSION").exists():
            shutil.rmtree(PG_DATA, ignore_errors=True)
            PG_DATA.mkdir(parents=True)
            if os.geteuid() == 0:
                shutil.chown(PG_DATA, PG_USER)
            _as_pg_user([str(PG_BIN / "initdb"), "-D", str(PG_DATA), "-U", PG_USER, "-A", "trust"])
        if not self.is_up():
            self._ctl("start", "-w", "-t", "30", "-l", f"{PG_DATA}/server.log")
        created = subprocess.run(
            [
                str(PG_BIN / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(PG_PORT),
                "-U",
                PG_USER,
                DB_NAME,
            ],
            capture_output=True,
            text=True,
        )
        if created.returncode and "already exists" not in created.stderr:
            raise RuntimeError(created.stderr)

    def _ctl(self, *args):
        options = f"'-p {PG_PORT} -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=100'"
        _as_pg_user([str(PG_BIN / "pg_ctl"), "-D", str(PG_DATA), "-o", options, *args])

    def stop(self):
        if self.is_up():
            self._ctl("stop", "-m", "fast", "-w")

    def start_again(self):
        self._ctl("start", "-w", "-t", "30", "-l", f"{PG_DATA}/server.log")

    def is_up(self):
        return (
            subprocess.run(
                [str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(PG_PORT), "-q"]
            ).returncode
            == 0
        )


class Redis:
    """A throwaway Redis without persistence on its own port."""

    def start(self):
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(REDIS_PORT),
                "--bind",
                "127.0.0.1",
                "--daemonize",
                "yes",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            check=True,
            capture_output=True,
        )
        for _ in range(50):
            if self.is_up():
                return
            time.sleep(0.1)
        raise RuntimeError("Redis did not start")

    def stop(self):
        subprocess.run(
            ["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"], capture_output=True
        )
        for _ in range(50):
            if not self.is_up():
                return
            time.sleep(0.1)

    def is_up(self):
        result = subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True)
        return result.stdout.strip() == b"PONG"


def app_env(**overrides):
    """The environment a production deployment would have, pointed at the scratch services."""
    return production_env(DATABASE_URL, REDIS_URL=REDIS_URL, **overrides)


def manage(*args, env=None):
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env or app_env(), capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def prepare_database(listings=200):
    """Migrate, seed listings once, and return an API token of an agent for writes."""
    manage("migrate", "--no-input", env=app_env(DATABASE_STATEMENT_TIMEOUT_MS=0))
    code = f"""
from rest_framework.authtoken.models import Token
from properties.factories import PropertyFactory
from properties.models import Property
from users.factories import AgentFactory
agent = AgentFactory(username="faults-agent")
present = Property.objects.count()
for number in range(present, {listings}):
    PropertyFactory(listing_agent=agent, mls_number=f"F{{number:07d}}")
print(Token.objects.get_or_create(user=agent)[0].key)
"""
    return manage("shell", "-c", code).strip().splitlines()[-1]


def start_scratch_services(listings=200):
    """Scratch PostgreSQL and Redis up, the database seeded; returns them and an agent's token."""
    postgres, redis = Postgres(), Redis()
    postgres.start()
    redis.start()
    return postgres, redis, prepare_database(listings=listings)


def start_gunicorn(port, name, **env):
    """Hearth under gunicorn (bench/production.py) on ``port``, its log in bench/out/."""
    return Gunicorn(name, port, app_env(**env), log_path=LOG_DIR / f"{name}.gunicorn.log").start()


@dataclass
class Result:
    started: float
    finished: float
    status: int  # 0 when no HTTP response came back
    body: bytes = b""
    error: str = ""
    method: str = "GET"
    path: str = ""

    @property
    def seconds(self):
        return self.finished - self.started


def request(method, path, *, port, body=None, headers=None, connection=None, timeout=35):
    """One HTTP request; a connection error is a Result with status 0, never an exception."""
    started = time.monotonic()
    own = connection is None
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        payload = json.dumps(body) if body is not None else None
        all_headers = {"Accept": "application/json", **(headers or {})}
        if payload is not None:
            all_headers["Content-Type"] = "application/json"
        conn.request(method, path, body=payload, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
        return Result(started, time.monotonic(), response.status, data, method=method, path=path)
    except (OSError, http.client.HTTPException) as exc:
        conn.close()
        return Result(
            started, time.monotonic(), 0, error=exc.__class__.__name__, method=method, path=path
        )
    finally:
        if own:
            conn.close()


def reads(paths):
    """A ``Load.next_request`` that sends GETs to ``paths`` in turn, each thread offset by one."""
    return lambda index, iteration: ("GET", paths[(index + iteration) % len(paths)], None, None)


@dataclass
class Load:
    """Closed-loop load: each of ``connections`` threads sends its next request when one ends."""

    port: int
    connections: int
    next_request: object  # callable(thread_index, iteration) -> (method, path, body, headers)
    results: list = field(default_factory=list)
    # A new connection for every request, as clients arriving one after another
    # make them, instead of each thread keeping one alive.
    fresh_connections: bool = False
    timeout: float = 35

    def __post_init__(self):
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._run, args=(index,), daemon=True)
            for index in range(self.connections)
        ]

    def _run(self, index):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        iteration = 0
        while not self._stop.is_set():
            method, path, body, headers = self.next_request(index, iteration)
            result = request(
                method,
                path,
                port=self.port,
                body=body,
                headers=headers,
                connection=None if self.fresh_connections else conn,
                timeout=self.timeout,
            )
            if result.status == 0:
                # A dropped keep-alive connection: reconnect for the next request,
                # without spinning when the server refuses connections.
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                time.sleep(0.05)
            with self._lock:
                self.results.append(result)
            iteration += 1
        conn.close()

    def start(self):
        for thread in self._threads:
            thread.start()
        return self

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=40)

    def snapshot(self):
        with self._lock:
            return list(self.results)


def summarize(results):
    by_status = {}
    for result in results:
        key = result.status or f"error:{result.error}"
        by_status[key] = by_status.get(key, 0) + 1
    slowest = max((r.seconds for r in results), default=0.0)
    return by_status, slowest


class Checks:
    """Collects named pass/fail checks and exits non-zero if any failed."""

    def __init__(self, name):
        self.name = name
        self.items = []

    def check(self, label, ok, detail=""):
        self.items.append((label, bool(ok), detail))
        log(f"{'PASS' if ok else 'FAIL'}  {label}{'  — ' + detail if detail else ''}")

    def finish(self):
        failed = [label for label, ok, _ in self.items if not ok]
        print(f"== {self.name}: {len(self.items) - len(failed)} passed, {len(failed)} failed")
        sys.exit(1 if failed else 0)
