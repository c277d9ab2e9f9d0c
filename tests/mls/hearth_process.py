"""Another Hearth, in its own process and SQLite database: a real RESO source for tests."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A free port in this worktree's range when the suite sets one, else any."""
    low, high = (int(p) for p in os.environ.get("HEARTH_TEST_PORTS", "0-0").split("-"))
    for port in range(low, high + 1) if low else [0]:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    pytest.skip("no free port for a second Hearth")


class HearthProcess:
    """``manage.py`` commands, a ``runserver`` and Celery workers on a database of their own.

    The database is of the suite's kind: a SQLite file, or a scratch PostgreSQL
    database beside the suite's (created here, dropped by ``stop``).
    """

    def __init__(self, tmp_path: Path, **env):
        self.port = free_port()
        self.pg_name = None
        suite_url = os.environ.get("DATABASE_URL", "")
        if suite_url.startswith("postgres"):
            self.pg_name = f"{suite_url.rsplit('/', 1)[1]}_proc{self.port}"
            self._pg(f'DROP DATABASE IF EXISTS "{self.pg_name}"')
            self._pg(f'CREATE DATABASE "{self.pg_name}"')
            database_url = f"{suite_url.rsplit('/', 1)[0]}/{self.pg_name}"
        else:
            database_url = f"sqlite:///{tmp_path / f'hearth-{self.port}.sqlite3'}"
        self.processes = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "DATABASE_URL": database_url,
            "JOBS_EMBEDDED_AUTOSTART": "false",
            "CELERY_BROKER_URL": "",
            "API_RESPONSE_CACHE": "false",
            **env,
        }
        self.server = None

    def _pg(self, statement):
        import psycopg

        admin_url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(statement)

    def sql(self, query: str) -> list[tuple]:
        """Rows of ``query`` on this Hearth's database, read directly (no Django start-up)."""
        url = self.env["DATABASE_URL"]
        if url.startswith("sqlite"):
            import sqlite3

            with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=10) as connection:
                return connection.execute(query).fetchall()
        import psycopg

        with psycopg.connect(url) as connection:
            return connection.execute(query).fetchall()

    def worker(self, *args: str) -> subprocess.Popen:
        """A real ``celery -A config worker`` process (its own process group, for kill -9)."""
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
             "--loglevel", "INFO", "--without-gossip", "--without-mingle", *args],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        self.processes.append(process)
        return process

    @property
    def base(self) -> str:
        return f"http://localhost:{self.port}"

    def manage(self, *args: str, timeout=300) -> str:
        done = subprocess.run(  # noqa: S603 (this interpreter and manage.py)
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
            text=True, timeout=timeout, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def python(self, code: str) -> str:
        return self.manage("shell", "-c", code)

    def start(self):
        self.server = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.2)
        raise AssertionError("the second Hearth did not start")

    def stop(self):
        for process in [self.server, *self.processes]:
            if process is None:
                continue
            if process in self.processes:
                # The whole group: a worker started with --beat runs beat as a child,
                # which would outlive its killed parent.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
            elif process.poll() is None:
                process.kill()
            process.wait(timeout=10)
        if self.pg_name:
            self._pg(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
