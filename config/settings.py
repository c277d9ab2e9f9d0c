"""Hearth settings.

Every value a deployment changes comes from the environment (12-factor), read
here and nowhere else. Defaults suit a developer's machine with only Python:
SQLite, an in-process cache. With ``DJANGO_DEBUG`` off (the default) a real
``DJANGO_SECRET_KEY`` is required and ``check --deploy`` is clean.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A developer's .env is a convenience; deployments set real environment variables.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="django-insecure-local-development-only")
else:
    try:
        SECRET_KEY = env("DJANGO_SECRET_KEY")
    except ImproperlyConfigured:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DJANGO_DEBUG off) refuses to start "
            "without one; generate it with: python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'. For local development set DJANGO_DEBUG=true."
        ) from None
# Former keys, newest first: sessions, signed values and the MLS client secrets
# encrypted under them (config.encryption) stay readable while the key rotates.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "oauth2_provider",
    "users",
    "properties",
    "reso",
    "jobs",
    "mls",
    "imports",
]

MIDDLEWARE = [
    # First, so every response (even a 413 or an error page) carries the request
    # id and every request is logged once with its outcome and duration.
    "config.middleware.RequestLogMiddleware",
    "config.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.ReadReplicaMiddleware",
    # Last: turns a locked-out HTML login (admin, /api-auth/) into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Optional streaming replica: read-only API requests (GET, HEAD, OPTIONS) read
# from it through config.db_router; everything else stays on the primary.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASE_ROUTERS = ["config.db_router.ReadReplicaRouter"]
# A runaway query is cancelled by PostgreSQL before gunicorn's worker timeout
# kills the whole worker; 0 disables it (migrations of big tables).
DATABASE_STATEMENT_TIMEOUT_MS = env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=15_000)
for _database in DATABASES.values():
    if _database["ENGINE"] != "django.db.backends.postgresql":
        continue
    _options = _database.setdefault("OPTIONS", {})
    # Django's psycopg 3 pool: each worker keeps a few warm connections and a
    # request that cannot get one within the timeout fails (503) instead of hanging.
    _options["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=4),
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=3.0),
        # psycopg retries a lost connection with a doubling back-off, which after
        # an outage of a few seconds leaves a worker waiting long after the server
        # is back. Giving up early frees the slot, and the next request that needs
        # a connection opens one at once.
        "reconnect_timeout": env.float("DATABASE_POOL_RECONNECT_TIMEOUT", default=4.0),
    }
    # A server that does not answer at all must not hold a request for minutes.
    _options.setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3))
    if DATABASE_STATEMENT_TIMEOUT_MS:
        _options["options"] = f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"
    # The pool checks a connection before lending it, so the connections that a
    # database restart broke are replaced instead of failing one request each.
    _database["CONN_HEALTH_CHECKS"] = True
for _database in DATABASES.values():
    if _database["ENGINE"] != "django.db.backends.sqlite3":
        continue
    # SQLite as a real embedded database, with requests and background jobs
    # writing at once. WAL lets readers go on while one connection writes.
    # IMMEDIATE takes the write lock when a transaction begins, so a writer
    # waits its turn (up to the busy timeout) instead of failing with
    # "database is locked" when it upgrades a read lock mid-transaction, which
    # SQLite refuses at once because two such upgrades would deadlock.
    _options = _database.setdefault("OPTIONS", {})
    _options.setdefault("transaction_mode", "IMMEDIATE")
    _options.setdefault("timeout", env.float("SQLITE_BUSY_TIMEOUT", default=20.0))
    _options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------
# Redis when configured, so throttling counters are shared by every worker;
# otherwise a per-process memory cache, enough for one developer.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis that fails or does not answer within the socket timeouts is
            # treated as a cache miss, so an outage degrades rather than breaks.
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "hearth",
            "OPTIONS": {
                "socket_connect_timeout": env.float("REDIS_TIMEOUT", default=0.5),
                "socket_timeout": env.float("REDIS_TIMEOUT", default=0.5),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Cached listing reads (GET /api/properties/ and /api/market-stats/), keyed by
# the listing data version that database triggers replace on every write
# (properties.caching). Off, those endpoints answer exactly as uncached.
API_RESPONSE_CACHE = env.bool("API_RESPONSE_CACHE", default=True)
API_RESPONSE_CACHE_TIMEOUT = env.int("API_RESPONSE_CACHE_TIMEOUT", default=3600)
# Exact counts and market statistics stored per listing data version (properties/memo.py):
# flat cost from 100k to 1M listings, whether or not whole responses are cached.
LISTING_READ_MEMO = env.bool("LISTING_READ_MEMO", default=True)
LISTING_READ_MEMO_TIMEOUT = env.int("LISTING_READ_MEMO_TIMEOUT", default=3600)

# --- Background jobs (Celery) --------------------------------------------
# A broker (redis://… or amqp://…) sends jobs to `celery -A config worker`
# processes on any number of machines, with `celery -A config beat` firing the
# schedule. Unset, jobs and the schedule run inside the web process
# (jobs.runner), which is what `make run` uses.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ACKS_LATE = True  # a job's message is acknowledged when it ends, not when it starts
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a killed worker's job goes back to the queue
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # long jobs: a worker takes one at a time
CELERY_TASK_IGNORE_RESULT = True  # job state lives in the database (SyncRun), not a backend
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Enqueueing from a request gives up fast when the broker is down: the job record
# stays queued and the schedule sends it again (the API keeps serving meanwhile).
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Redis redelivers a message unacknowledged for this long (a worker lost mid-job).
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "max_retries": 1,
    "socket_connect_timeout": 2,
}
CELERY_BEAT_SCHEDULE = {
    # Starts the scheduled syncs that are due and re-sends queued or orphaned runs.
    "mls-sync-due": {
        "task": "mls.tasks.sync_due",
        "schedule": env.float("MLS_SYNC_TICK_SECONDS", default=60.0),
    },
    # Re-sends admin imports whose message was lost or whose worker died.
    "imports-requeue": {
        "task": "imports.tasks.import_runs_requeue",
        "schedule": 60.0,
    },
}
JOBS_EMBEDDED_WORKERS = env.int("JOBS_EMBEDDED_WORKERS", default=4)
JOBS_EMBEDDED_AUTOSTART = env.bool("JOBS_EMBEDDED_AUTOSTART", default=True)

# --- MLS sync ---------------------------------------------------------------
# Sources whose OData URL resolves to a private, loopback or link-local address are
# refused (SSRF) unless this is true (a Hearth syncing from a neighbour on the LAN).
MLS_SYNC_ALLOW_PRIVATE = env.bool("MLS_SYNC_ALLOW_PRIVATE", default=False)
MLS_SYNC_TIMEOUT_SECONDS = env.float("MLS_SYNC_TIMEOUT_SECONDS", default=30.0)
MLS_SYNC_RETRIES = env.int("MLS_SYNC_RETRIES", default=4)
MLS_SYNC_BACKOFF_SECONDS = env.float("MLS_SYNC_BACKOFF_SECONDS", default=1.0)
# A run renews its lease on the source after every page; a worker killed mid-run
# frees the source after this long, and the next worker resumes the run.
MLS_SYNC_LEASE_SECONDS = env.float("MLS_SYNC_LEASE_SECONDS", default=120.0)
# A source without an EntityEvent feed tells deletions only by the keys it still
# serves: a run compares them all with ours at least this often (full runs always do).
MLS_SYNC_RECONCILE_HOURS = env.float("MLS_SYNC_RECONCILE_HOURS", default=24.0)

# --- Users and passwords --------------------------------------------------
AUTH_USER_MODEL = "users.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Eight spaces pass the length rule; Passw0rd! and hearth123 pass the common list.
    {"NAME": "users.passwords.NotBlankPasswordValidator"},
    {"NAME": "users.passwords.DecoratedCommonPasswordValidator"},
]

# Failed password logins are counted by django-axes on every login path (token,
# JWT, /api-auth/login/, /admin/login/): LOGIN_FAILURE_LIMIT failures from one
# address, or against one account, lock that address or account out for
# LOGIN_LOCKOUT_MINUTES (429). Staff unlock in the admin (Users → "Unlock
# sign-in", or Axes → Access attempts) or with `manage.py axes_reset`.
AUTHENTICATION_BACKENDS = [
    "users.backends.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.throttling.client_address"
AXES_USERNAME_CALLABLE = "users.lockout.login_username"
AXES_LOCKOUT_CALLABLE = "users.lockout.lockout_response"
# The request log (config.middleware) already records every request once, and
# a table row per successful login (every token and JWT sign-in) would only grow.
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Hearth's own assets: the browsable API's script and the landing page's style.
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Photos and avatars in S3-compatible object storage (AWS S3, MinIO, R2, ...)
# through django-storages when a bucket is named; their URLs then point at the
# bucket or at AWS_S3_CUSTOM_DOMAIN (a CDN in front of it). Credentials come
# from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or an instance role).
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            # Empty counts as unset (docker-compose passes every variable through).
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env("AWS_S3_REGION_NAME", default="") or None,
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default="") or None,
            # Plain URLs by default: listing pages are cached (API_RESPONSE_CACHE)
            # for longer than a signed URL lives, and the photos are public anyway.
            # A private bucket sets AWS_QUERYSTRING_AUTH=true.
            "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=False),
            "file_overwrite": False,
            # Names are random and never reused: clients and the CDN may keep them.
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
# The embedded default: files under MEDIA_ROOT, served at /media/ by
# config.media unless a front server does it (then set SERVE_MEDIA=false).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=not AWS_STORAGE_BUCKET_NAME)

# --- Request limits -------------------------------------------------------
# The largest request body accepted at all (a 10 MB photo plus form overhead);
# anything larger is answered 413 before a byte of it is read.
MAX_REQUEST_BODY_SIZE = env.int("MAX_REQUEST_BODY_SIZE", default=11 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
# Listing photos: larger files, or images with more pixels (read from the header
# before decoding, so decompression bombs are caught), are refused with 400.
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", default=50_000_000)
# Memory the decoded pixels of one upload may take (Pillow holds most images at
# 4 bytes a pixel): a 190 kB PNG can inflate to 200 MB. JPEGs beyond it are
# decoded at a reduced scale instead; other formats are refused.
PHOTO_MAX_DECODED_BYTES = env.int("PHOTO_MAX_DECODED_BYTES", default=128 * 1024 * 1024)
# Uploads decoding at once in one process; the others wait up to the given
# seconds (then 503), so a burst of uploads cannot multiply a worker's memory.
PHOTO_DECODE_CONCURRENCY = env.int("PHOTO_DECODE_CONCURRENCY", default=2)
PHOTO_DECODE_WAIT_SECONDS = env.float("PHOTO_DECODE_WAIT_SECONDS", default=20.0)
# import_listings: a URL download ends within this many seconds in total, however
# slowly the server sends (properties.feeds).
IMPORT_FETCH_TIMEOUT = env.float("IMPORT_FETCH_TIMEOUT", default=30.0)
# Admin imports: the largest file staff may upload (it must also fit
# MAX_REQUEST_BODY_SIZE); larger feeds go through `manage.py import_listings`.
IMPORT_UPLOAD_MAX_BYTES = env.int("IMPORT_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)

# --- CORS -----------------------------------------------------------------
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])

# --- Security (production values unless DEBUG) ------------------------------
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe these over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
X_FRAME_OPTIONS = "DENY"
# Everything is served from our own origin (static files by WhiteNoise), so
# the policy allows only 'self'. Inline styles stay allowed: the admin's and
# ReDoc's widgets set style attributes. ReDoc runs its search in a blob: worker.
# Swagger UI must be served by drf-spectacular's SpectacularSwaggerSplitView,
# which ships its start-up script as a file; the plain view's inline script is blocked.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# The admin's map preview of a listing: a tile URL template with {z}, {x} and {y}
# (e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png, whose usage policy applies).
# Empty (the default), the admin shows plain coordinates and fetches nothing.
ADMIN_MAP_TILE_URL = env.str("ADMIN_MAP_TILE_URL", default="")
if ADMIN_MAP_TILE_URL:
    _tiles = urlsplit(ADMIN_MAP_TILE_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(f"{_tiles.scheme}://{_tiles.netloc}")
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
if TRUSTED_PROXIES:
    # Only a proxy we run may tell us the original scheme.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- REST framework -------------------------------------------------------
# The browsable API is how clients explore the API, in production too (SPEC 3);
# an operator who wants JSON only can still switch it off.
BROWSABLE_API = env.bool("DJANGO_BROWSABLE_API", default=True)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The first class decides the WWW-Authenticate header, which turns a
        # missing login into 401 rather than 403.
        "users.authentication.VersionedJWTAuthentication",
        "users.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if BROWSABLE_API else []),
    ],
    # Request bodies are JSON; the photo and avatar uploads add multipart
    # (config.parsers.UPLOAD_PARSERS). One body format per operation is what the
    # OpenAPI document can describe exactly and what generated clients send.
    "DEFAULT_PARSER_CLASSES": ["config.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["config.filters.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": [
        "config.throttling.AnonOrUserRateThrottle",
        "config.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_ANON", default="120/min"),
        "user": env("THROTTLE_USER", default="600/min"),
        "auth": env("THROTTLE_AUTH", default="10/min"),
        "inquiries": env("THROTTLE_INQUIRIES", default="10/hour"),
        # RESO Web API clients (reso.authentication): replication reads pages back to back.
        "reso": env("THROTTLE_RESO", default="1200/min"),
    },
    # X-Forwarded-For is believed only through this many proxies we run;
    # with 0 the socket address is used, so a forged header changes nothing.
    "NUM_PROXIES": TRUSTED_PROXIES,
    "EXCEPTION_HANDLER": "config.exceptions.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Hearth API",
    "DESCRIPTION": (
        "Real-estate listings: search and filter listings, manage them as an agent, save "
        "favourites, send inquiries, get valuations and market statistics.\n\n"
        "Authenticate with `Authorization: Token <token>` (POST /api/auth/token/), "
        "`Authorization: Bearer <access>` (POST /api/auth/jwt/) or a browser session; "
        "POST /api/auth/logout/ revokes them. API tokens expire (API_TOKEN_TTL), refresh "
        "tokens work once, and repeated failed sign-ins lock the account or address out "
        "for a while (429 with `Retry-After`). "
        'Errors are JSON: `{"field": ["message"]}` for invalid input, '
        '`{"detail": "message"}` otherwise.'
    ),
    "VERSION": "1.0.0",
    # Relative: the host that serves this document serves the API.
    "SERVERS": [{"url": "/", "description": "This Hearth instance"}],
    "TAGS": [
        {"name": "auth", "description": "Sign up and sign in: API tokens and JWTs."},
        {"name": "users", "description": "Your profile; agents' public profiles."},
        {
            "name": "properties",
            "description": "Listings, their photos, price history, valuation, favourites "
            "and inquiries.",
        },
        {"name": "favorites", "description": "The listings you saved."},
        {"name": "inquiries", "description": "Messages about listings, sent and received."},
        {"name": "market-stats", "description": "Statistics of the listings a filter matches."},
    ],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.add_links",
    ],
    "SERVE_INCLUDE_SCHEMA": False,
    # Separate request and response components, so read-only and write-only
    # fields (listing_agent vs listing_agent_id) are documented where they apply.
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI would otherwise ask validator.swagger.io for a badge (blocked by
    # the CSP, and no internet access is assumed).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "ListingStatusEnum": "properties.models.ListingStatus",
        "PropertyTypeEnum": "properties.models.PropertyType",
        "UserRoleEnum": "users.models.User.Role",
    },
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=1)),
    "AUTH_HEADER_TYPES": ("Bearer",),
    # A refresh token works once: refreshing answers a new one and blacklists
    # the old, so a stolen refresh token is good only until its owner refreshes.
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    # No password-derived claim (simplejwt's hash_password) in tokens: they carry
    # the account's token version instead (users.authentication).
    "CHECK_REVOKE_TOKEN": False,
}
# Seconds an API token (Authorization: Token) stays valid after it is issued;
# 0 keeps tokens until logout or a password change.
API_TOKEN_TTL = env.int("API_TOKEN_TTL", default=7 * 24 * 3600)

# OAuth2 client credentials for the RESO Web API (django-oauth-toolkit): staff register
# API clients as Applications in the admin; tokens come from /reso/oauth/token.
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("OAUTH2_ACCESS_TOKEN_SECONDS", default=3600),
    "SCOPES": {"read": "Read the RESO Web API"},
    "DEFAULT_SCOPES": ["read"],
    # Client secrets are stored hashed; the admin shows one once, when it is created.
    "PKCE_REQUIRED": True,
    # OAuth 2.0 Security Best Current Practice (RFC 9700): only what the RESO Web API
    # needs (client credentials, bearer tokens in the header), tokens stored hashed.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}

# --- Email ----------------------------------------------------------------
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Hearth <noreply@hearth.local>")

# --- Logging --------------------------------------------------------------
# One JSON object per line (config.log) for log collectors; `text` reads
# better in a developer's terminal. Every record carries the request id.
LOG_FORMAT = env("DJANGO_LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.log.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "config.log.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # config.middleware logs every request once; Django's own 4xx warnings
        # would log the same requests a second time.
        "django.request": {"level": "ERROR"},
        # Failed logins and lockouts are warnings; axes' per-attempt housekeeping is not news.
        "axes": {"level": "WARNING"},
    },
}
