"""Hearth as a deployment runs it, for the benchmarks and the fault scripts.

One place for the production environment (``production_env``) and for starting,
watching and stopping a server process (``Server``, and ``Gunicorn`` for
Hearth with gunicorn.conf.py), so ``python -m bench.api`` and bench/faults/
measure the same configuration.
"""

import http.client
import os
import signal
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
LOG_DIR = ROOT / "bench" / "out"
# What the Dockerfile serves; HEARTH_APP=config.wsgi (with GUNICORN_WORKER_CLASS=gthread)
# measures the previous gthread set-up for comparison.
APP = os.environ.get("HEARTH_APP", "config.asgi")


def production_env(database_url, **overrides):
    """Production settings, as a deployment has them, pointed at ``database_url``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "GUNICORN_", "THROTTLE_", "API_"))
    }
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",  # noqa: S106
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_BROWSABLE_API="false",
        DATABASE_URL=database_url,
        # Out of reach, yet still checked on every request. Per second, not per
        # minute: DRF keeps one timestamp per request within the period in a
        # pickled cache entry, so a per-minute rate that one address never
        # reaches grows that list to tens of thousands of entries, a cost no
        # production client (120/min) ever causes.
        THROTTLE_ANON="1000000/s",
        THROTTLE_USER="1000000/s",
    )
    env.update({key: str(value) for key, value in overrides.items()})
    return env


def answers(port, path):
    """The status of GET ``path`` on 127.0.0.1:``port``, or 0 when nothing answered."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1", "Accept": "application/json"})
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return 0
    finally:
        conn.close()


class Server:
    """A server process in the background, started once ``ready_path`` answers 200."""

    def __init__(self, name, command, env, port, cwd, *, ready_path, log_path=None):
        self.name, self.command, self.env, self.port, self.cwd = name, command, env, port, cwd
        self.ready_path = ready_path
        self.log_path = log_path or LOG_DIR / f"{name}.log"
        self.process = None

    def start(self):
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self):
        self.log_path.parent.mkdir(exist_ok=True)
        self.log_file = open(self.log_path, "w")  # noqa: SIM115  (closed in stop())
        self.process = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            # Its own session: a Ctrl-C in the terminal reaches the harness, which
            # stops the server with TERM, not the server's workers directly.
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log_path}")
            if answers(self.port, self.ready_path) == 200:
                return self
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer {self.ready_path}; see {self.log_path}")

    def signal(self, signum):
        self.process.send_signal(signum)

    def pids(self):
        """The server process and every descendant (gunicorn or uvicorn workers)."""
        found, queue = [], [self.process.pid]
        while queue:
            pid = queue.pop()
            found.append(pid)
            children = Path(f"/proc/{pid}/task/{pid}/children")
            try:
                queue.extend(int(child) for child in children.read_text().split())
            except (FileNotFoundError, ProcessLookupError):
                pass
        return found

    def rss_mb(self):
        """Resident memory of the whole process tree, in MiB."""
        total = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except (FileNotFoundError, ProcessLookupError):
                pass
        return round(total / 1024, 1)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process:
            self.log_file.close()


class Gunicorn(Server):
    """Hearth under gunicorn with gunicorn.conf.py, as deployed, on 127.0.0.1:``port``."""

    def __init__(self, name, port, env, *, ready_path="/healthz", log_path=None):
        super().__init__(
            name,
            [str(GUNICORN), env.get("HEARTH_APP", APP), "--config", "gunicorn.conf.py"],
            {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            port,
            ROOT,
            ready_path=ready_path,
            log_path=log_path,
        )
