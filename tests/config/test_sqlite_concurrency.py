"""SQLite, the embedded default, lets concurrent writers wait instead of failing."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.config import sqlite_writers

ROOT = Path(__file__).resolve().parents[2]


def test_sqlite_settings_use_wal_a_busy_timeout_and_immediate_transactions(production_setting):
    options = production_setting(
        "settings.DATABASES['default']['OPTIONS']", DATABASE_URL="sqlite:////tmp/hearth.sqlite3"
    )

    assert options == {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20.0,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }


def test_concurrent_registrations_and_a_background_job_never_see_database_is_locked(tmp_path):
    # Given production settings on a file database (the suite's own is in memory)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "THROTTLE_"))
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_LOG_LEVEL="WARNING",
        THROTTLE_AUTH="100000/min",
        MEDIA_ROOT=str(tmp_path / "media"),
    )

    # When six threads register accounts while a background job writes listings
    run = subprocess.run(  # noqa: S603  (our own interpreter and module)
        [sys.executable, "-m", "tests.config.sqlite_writers"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    # Then every registration succeeded and the job wrote every listing
    assert run.returncode == 0, run.stderr[-3000:]
    outcome = json.loads(run.stdout.strip().splitlines()[-1])
    registrations = sqlite_writers.REGISTERING_THREADS * sqlite_writers.REGISTRATIONS_EACH
    assert outcome == {
        "journal_mode": "wal",
        "statuses": {"201": registrations},
        "job_errors": [],
        "job_error_count": 0,
        "listings": sqlite_writers.JOB_TRANSACTIONS,
    }
