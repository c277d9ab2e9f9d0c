"""gunicorn settings for Hearth; every value can be overridden from the environment.

Run as ``gunicorn config.asgi --config gunicorn.conf.py``.
"""

import multiprocessing
import os
import resource


def _int(name, default):
    return int(os.environ.get(name, default))


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# uvicorn workers (config.workers) serving the ASGI app (config.asgi): each
# worker's event loop reads requests from any number of connections, and a
# request reaches Django only once its headers and body have fully arrived
# (config.buffering), so slow or idle clients never hold a thread. gthread
# workers read requests in their threads: ten clients trickling a header line
# every few seconds stopped a server (docs/operations.md "Slow clients").
# Django's sync code then runs in a thread per request, at most
# GUNICORN_THREADS (4) at once per process, matching the default
# DATABASE_POOL_MAX_SIZE (4), so a request never queues for a connection its
# own process could have had. Two processes per core keep both cores busy
# while one holds the GIL. On 2 cores: 4 x 4 = 16 requests in Django at once
# and at most 16 PostgreSQL connections per server; more wait, received, in
# the event loops.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "config.workers.HearthUvicornWorker")
workers = _int("GUNICORN_WORKERS", max(2, multiprocessing.cpu_count() * 2))
# Read by config.asgi (not by gunicorn, whose threads setting only gthread uses).
threads = _int("GUNICORN_THREADS", 4)
# Connections the kernel has completed but no worker has accepted yet. The event
# loops accept quickly, but a burst of thousands of connects at once (clients
# reconnecting after a deploy, 5,000 keep-alive clients opening together)
# overflowed 256: the kernel dropped handshakes and clients saw resets (issue
# 18, docs/scaling.md). The kernel caps it at net.core.somaxconn.
backlog = _int("GUNICORN_BACKLOG", 2048)

# Every open connection is a file descriptor. Many systems start services with a
# soft limit of 1,024 descriptors per process, which capped each worker near 1,000
# connections (4 workers: 4,000 of 5,000 keep-alive clients, issue 18). The soft
# limit is raised to the hard one the service manager grants (systemd
# LimitNOFILE, Docker's ulimits nofile: docker-compose.yml, docs/scaling.md);
# the workers, forked from this process, inherit it.
_soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
_wanted = _hard if _hard != resource.RLIM_INFINITY else 1 << 20
if _soft != resource.RLIM_INFINITY and _soft < _wanted:
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (_wanted, _hard))
    except (ValueError, OSError):
        pass  # the kernel's cap (fs.nr_open) is lower: the soft limit stands
# Read by the gthread fallback only; each uvicorn worker accepts as many
# connections as its descriptors allow (the limit above).
worker_connections = _int("GUNICORN_WORKER_CONNECTIONS", 10000)

# A worker whose event loop is silent this long is killed and replaced (a
# request stuck in Django does not block the loop; PostgreSQL's statement
# timeout, DATABASE_STATEMENT_TIMEOUT_MS = 15 s, ends stuck queries).
timeout = _int("GUNICORN_TIMEOUT", 30)
# On TERM or HUP, requests in flight get this long to finish (graceful shutdown).
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Longer than a load balancer's idle timeout would invite resets; keep it short.
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then so a slow leak can never take a server down;
# the jitter keeps them from all restarting at once. Not too often: a worker
# boots in about a second of CPU, and at 5,000 requests a 2-core server serving
# 1,000 req/s replaced one every 5 s. Measured (a cached detail, 8 connections,
# bench/RESULTS.md): 899 req/s and a p99 of 992 ms at 5,000; 1,191 req/s and
# 46 ms at 50,000, a replacement every few minutes per worker at full load.
max_requests = _int("GUNICORN_MAX_REQUESTS", 50000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 5000)

# The worker heartbeat file is touched on every request; on tmpfs that never
# blocks on a slow or full disk (Docker's /tmp is overlayfs).
# gunicorn creates its own unguessable file there, with mode 0600.
SHM = "/dev/shm"  # noqa: S108
if os.path.isdir(SHM):
    worker_tmp_dir = SHM

# Only the gthread fallback reads X-Forwarded-* itself; the uvicorn workers leave
# them to the app, which believes them through TRUSTED_PROXIES only.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# gunicorn's runtime control socket is not used; without it, several servers
# on one host (and a read-only home directory in the image) need no socket path.
control_socket_disable = True

# The application logs every request once, as JSON with its request id
# (config.middleware.RequestLogMiddleware), so gunicorn's access log is off
# unless GUNICORN_ACCESS_LOG names a file or "-"; its lines are JSON too.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = (
    '{"time": "%(t)s", "remote": "%(h)s", "request": "%(r)s", "status": %(s)s, '
    '"bytes": "%(B)s", "duration_ms": %(M)s, "request_id": "%({x-request-id}o)s"}'
)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn's own messages (boot, worker restarts, timeouts) in the app's JSON shape.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "config.log.JsonFormatter"},
        "raw": {"format": "%(message)s"},
    },
    "handlers": {
        "error": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        },
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "raw",
            "stream": "ext://sys.stdout",
        },
    },
    # gunicorn merges this over its defaults, whose root logger names a
    # "console" handler; this root is Django's to configure, so it gets "error".
    "root": {"level": "INFO", "handlers": ["error"]},
    "loggers": {
        "gunicorn.error": {"handlers": ["error"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {
            "handlers": ["access"] if accesslog else [],
            "level": "INFO" if accesslog else "CRITICAL",
            "propagate": False,
        },
    },
}
