"""Settings for the test suite: the production settings with fast, isolated overrides.

``DATABASE_URL`` still chooses the database, so CI runs the same suite on
SQLite and on PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault(
    "DJANGO_SECRET_KEY", "test-only-secret-key-never-used-in-production-0123456789"
)
# The suite tests the production settings, whatever a developer's .env says.
os.environ["DJANGO_DEBUG"] = "false"
# Tests start job runners themselves; importing config.wsgi must not start one.
os.environ.setdefault("JOBS_EMBEDDED_AUTOSTART", "false")

from config.settings import *  # noqa: E402, F403  (Django's documented pattern for settings variants)
from config.settings import DATABASES, REST_FRAMEWORK, STORAGES  # noqa: E402

# Hashing with PBKDF2 dominates a suite that creates many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The test client speaks plain HTTP and collectstatic has not run.
SECURE_SSL_REDIRECT = False
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = tempfile.mkdtemp(prefix="hearth-test-media-")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Generous rates so ordinary tests are never throttled; throttle tests set their own.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        "anon": "10000/min",
        "user": "10000/min",
        "auth": "10000/min",
        "inquiries": "10000/min",
        "reso": "10000/min",
    },
}
# The test client says "testserver"; in-process fuzzing (schemathesis) says "localhost".
ALLOWED_HOSTS = ["testserver", "localhost"]

# No connection pool in tests: a pool outlives the live server's threads (browser
# tests) and keeps connections that stop the test database from being dropped.
_DEFAULT = {
    **DATABASES["default"],
    "OPTIONS": {k: v for k, v in DATABASES["default"].get("OPTIONS", {}).items() if k != "pool"},
}
if _DEFAULT["ENGINE"] == "django.db.backends.sqlite3":
    # The suite's SQLite database lives in memory, shared between connections
    # by table locks that IMMEDIATE transactions would hold across them; WAL
    # does not apply there either. tests/config/test_sqlite_concurrency.py
    # runs the production options on a file database in its own process.
    _DEFAULT["OPTIONS"] = {
        k: v
        for k, v in _DEFAULT["OPTIONS"].items()
        if k not in {"transaction_mode", "init_command", "timeout"}
    }
if _DEFAULT["ENGINE"] == "django.db.backends.postgresql":
    # Tests run in transactions that never commit, and PostgreSQL replaces the
    # listing data version at commit; this makes the same triggers replace it
    # at each statement instead (properties.database_rules.IMMEDIATE_SETTING).
    _options = _DEFAULT["OPTIONS"]
    _options["options"] = f"{_options.get('options', '')} -c hearth.listing_version_immediate=on"
# A replica alias that is the test database itself, for the routing tests; the
# router is installed only by the tests that enable it (settings.DATABASE_ROUTERS).
DATABASES = {"default": _DEFAULT, "replica": {**_DEFAULT, "TEST": {"MIRROR": "default"}}}
