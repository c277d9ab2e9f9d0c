"""Time listing requests in-process: Django's WSGI handler, no server, no network.

What a request costs in Python and the database, without gunicorn, wrk or the
machine's other load muddying it; for before/after comparisons of one change.
Run against a migrated copy of the benchmark database, production settings:

    DATABASE_URL=postgres://root@127.0.0.1:5432/hearth_photos_big DJANGO_DEBUG=false \\
    DJANGO_SECRET_KEY=bench-only-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ \\
    DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_SECURE_SSL_REDIRECT=false \\
    THROTTLE_ANON=1000000/s THROTTLE_USER=1000000/s \\
        .venv/bin/python bench/request_timing.py 2>/dev/null

Prints, per request, wall-clock and process CPU milliseconds (the CPU figure
leaves out time spent waiting for PostgreSQL): the median round and the best
one, which on a shared machine is the steadier of the two.
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402


def detail_id() -> int:
    # The benchmark's detail target: an active listing with an agent and photos.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.id FROM properties_property p WHERE p.status = 'active' "
            "AND p.listing_agent_id IS NOT NULL AND EXISTS (SELECT 1 FROM "
            "properties_propertyphoto f WHERE f.property_id = p.id) ORDER BY p.id LIMIT 1"
        )
        return cursor.fetchone()[0]


def environ(path: str, query: str = "") -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT": "application/json",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def time_request(handler, path, query, *, requests: int, rounds: int):
    statuses = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    for _ in range(requests // 5):  # warm-up: imports, caches, the pool
        b"".join(handler(environ(path, query), start_response))
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(requests):
            b"".join(handler(environ(path, query), start_response))
        walls.append((time.perf_counter() - wall) * 1000 / requests)
        cpus.append((time.process_time() - cpu) * 1000 / requests)
    assert set(statuses) == {"200 OK"}, set(statuses)
    return (statistics.median(walls), min(walls)), (statistics.median(cpus), min(cpus))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    handler = WSGIHandler()
    cases = {
        "detail": (f"/api/properties/{detail_id()}/", ""),
        "list": ("/api/properties/", ""),
    }
    for name, (path, query) in cases.items():
        wall, cpu = time_request(handler, path, query, requests=args.requests, rounds=args.rounds)
        print(
            f"{name:8} wall {wall[0]:7.3f} ms/request (best round {wall[1]:7.3f})  "
            f"CPU {cpu[0]:7.3f} (best {cpu[1]:7.3f})",
            flush=True,
        )


if __name__ == "__main__":
    main()
