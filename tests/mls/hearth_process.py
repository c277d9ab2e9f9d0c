"""Another Hearth, in its own process and SQLite database: a real RESO source for tests."""

import os
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
    """``manage.py`` commands and a ``runserver`` on a database of its own."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'hearth-a.sqlite3'}",
            "JOBS_EMBEDDED_AUTOSTART": "false",
            "CELERY_BROKER_URL": "",
            "API_RESPONSE_CACHE": "false",
        }
        self.server = None

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
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=10)
