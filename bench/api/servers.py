"""The servers measured: Hearth under gunicorn (bench/production.py) and the reference."""

import os
import subprocess
import sys

from bench.api import BENCH
from bench.production import Gunicorn, Server, production_env

REFERENCE = BENCH / "reference"
REFERENCE_VENV = REFERENCE / ".venv"
# Both servers answer this only once they can read the database.
READY_PATH = "/api/properties/?page_size=1"


def ensure_reference_venv():
    python = REFERENCE_VENV / "bin" / "python"
    marker = REFERENCE_VENV / ".installed"
    requirements = REFERENCE / "requirements.txt"
    if marker.exists() and marker.stat().st_mtime >= requirements.stat().st_mtime:
        return
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(REFERENCE_VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-r", str(requirements)], check=True
    )
    marker.touch()


def hearth_env(database_url, **overrides):
    """Production settings, request log at WARNING (the reference runs without an access log)."""
    return production_env(database_url, **{"DJANGO_LOG_LEVEL": "WARNING", **overrides})


def start_hearth(args, database_url, started, *, name="hearth", response_cache=False):
    """Start Hearth on --port, appended to ``started``; its response cache is off by default.

    Headline figures never include response caching (bench/README.md, fairness
    rules), so the cache is switched on only for the separately reported rows.
    """
    env = hearth_env(
        database_url,
        **{
            "GUNICORN_LOG_LEVEL": "warning",
            **dict(pair.split("=", 1) for pair in args.hearth_env),
            "API_RESPONSE_CACHE": "true" if response_cache else "false",
            # Counts stored per data version (properties/memo.py) are a cache too: the
            # reference counts every time, so the headline rows do as well.
            "LISTING_READ_MEMO": "true" if response_cache else "false",
        },
    )
    hearth = Gunicorn(name, args.port, env, ready_path=READY_PATH)
    started.append(hearth)
    return hearth.start()


def start_servers(args, database_url, started):
    """Start Hearth and (unless --no-reference) the reference; each is appended to ``started``."""
    hearth = start_hearth(args, database_url, started)
    reference = None
    if not args.no_reference:
        ensure_reference_venv()
        reference_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")},
            "DATABASE_URL": database_url.replace("postgres://", "postgresql+asyncpg://", 1),
        }
        reference = Server(
            "reference",
            [
                str(REFERENCE_VENV / "bin" / "uvicorn"),
                "app:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(args.reference_port),
                "--workers",
                str(args.reference_workers),
                "--loop",
                "uvloop",
                "--http",
                "httptools",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            reference_env,
            args.reference_port,
            REFERENCE,
            ready_path=READY_PATH,
        )
        started.append(reference)
        reference.start()
    return hearth, reference
