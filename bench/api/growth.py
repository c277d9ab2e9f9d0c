"""The 100k -> 1M growth table: what one request of each read endpoint costs PostgreSQL.

    .venv/bin/python -m bench.api.growth                       # hearth_bench_100k, hearth_bench_1m
    .venv/bin/python -m bench.api.growth --small hearth_scale_100k --large hearth_scale_1m
    .venv/bin/python -m bench.api.growth --create              # build missing databases first

Each endpoint is requested twice in-process (Django's test client, production
settings, response cache off) with the SQL captured: the first request after
a write ("cold": memoized counts and statistics computed) and the next one
("warm": what every further request costs until the next write). Every
SELECT of a request is then run under EXPLAIN ANALYZE ``--repeat`` times; the
figure is the sum over the request's statements of each one's median
execution time. Database-side time is far less sensitive than wall clock to
the other processes on this shared machine; the load average is printed too.

``--create`` builds each missing database with ``seed_demo --listings N
--agents 100 --seed 1 --photos`` (100,000 and 1,000,000 listings: the same ten
cities, ten times as dense; the large one's first 100,000 listings are the small
one's, the same seed drawing them in the same order), then analyses it.
Databases are kept between runs.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

from bench.api import PYTHON, ROOT, log
from bench.api.database import manage, psql, seed_demo
from bench.api.servers import hearth_env

ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://root@127.0.0.1:5432/postgres")
ENDPOINTS = {
    "list": "/api/properties/",
    "filtered": "/api/properties/?status=active&property_type=residential"
    "&price_min=300000&price_max=700000&ordering=-price",
    "deep_page": "/api/properties/?page=2000",
    "search": "/api/properties/?search=budget",
    "bbox": "/api/properties/?bbox=-97.8,30.2,-97.6,30.4",
    "near": "/api/properties/?near=30.2672,-97.7431&radius_km=5",
    "market_stats": "/api/market-stats/?status=sold&property_type=residential",
    "detail": "/api/properties/{id}/",
    "valuation": "/api/properties/{id}/valuation/",
    "odata_page": "/reso/odata/Property?$top=20",
}


def url_of(name):
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def exists(name):
    return bool(psql(ADMIN_URL, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"))  # noqa: S608


def create(small, large):
    for name, listings in ((small, 100_000), (large, 1_000_000)):
        if exists(name):
            continue
        log(f"creating {name}: seed_demo --listings {listings} --photos")
        psql(ADMIN_URL, f'CREATE DATABASE "{name}"')
        env = hearth_env(url_of(name), DATABASE_STATEMENT_TIMEOUT_MS=0)
        manage(env, "migrate", "--no-input")
        output, seconds = seed_demo(env, listings=listings, agents=100, seed=1)
        log(output.strip().splitlines()[-1] if output.strip() else f"seeded in {seconds:.0f} s")
        psql(ADMIN_URL, "VACUUM ANALYZE", database_url=url_of(name))


def measure(name, repeat):
    """Run this module's --measure in a process of its own, pointed at database ``name``."""
    env = hearth_env(
        url_of(name),
        API_RESPONSE_CACHE="false",
        DATABASE_STATEMENT_TIMEOUT_MS=0,
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    result = subprocess.run(
        [PYTHON, "-m", "bench.api.growth", "--measure", "--repeat", str(repeat)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(f"measuring {name} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _measure_here(repeat):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from properties.models import Property
    from users.models import User

    # The same listing in both databases (the large one's first listings are the small one's).
    active = Property.objects.filter(status="active", listing_agent__isnull=False)
    listing = (
        active.filter(photos__isnull=False).order_by("mls_number").first()
        or active.order_by("mls_number").first()
    )
    client = APIClient(HTTP_HOST="127.0.0.1")
    reader = APIClient(HTTP_HOST="127.0.0.1")
    reader.force_authenticate(User.objects.filter(role="agent").order_by("id").first(), "bench")

    def explain_ms(sql):
        times = []
        with connection.cursor() as cursor:
            for _ in range(repeat):
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                times.append(plan[0]["Execution Time"])
        return statistics.median(times)

    def request_ms(path, use):
        with CaptureQueriesContext(connection) as queries:
            response = use.get(path, HTTP_ACCEPT="application/json")
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.content[:300]!r}")
        # A UNION's statement starts with its first part's parenthesis.
        selects = [
            q["sql"] for q in queries.captured_queries if q["sql"].lstrip("(").startswith("SELECT")
        ]
        return round(sum(explain_ms(sql) for sql in selects), 2), len(queries.captured_queries)

    results = {}
    for name, template in ENDPOINTS.items():
        path = template.format(id=listing.pk)
        use = reader if path.startswith("/reso/") else client
        cold, statements = request_ms(path, use)
        warm, _ = request_ms(path, use)
        results[name] = {"cold_ms": cold, "warm_ms": warm, "queries": statements, "path": path}
    results["_listings"] = Property.objects.count()
    results["_load"] = os.getloadavg()[0]
    print(json.dumps(results))


def table(small, large):
    lines = [
        f"| endpoint | queries | {small['_listings']:,} warm ms | {large['_listings']:,} warm ms "
        "| growth | cold ms (small) | cold ms (large) | cold growth |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in ENDPOINTS:
        s, g = small[name], large[name]
        lines.append(
            f"| {name} | {g['queries']} | {s['warm_ms']:.1f} | {g['warm_ms']:.1f} "
            f"| {g['warm_ms'] / max(s['warm_ms'], 0.01):.2f}x | {s['cold_ms']:.1f} "
            f"| {g['cold_ms']:.1f} | {g['cold_ms'] / max(s['cold_ms'], 0.01):.2f}x |"
        )
    lines.append(f"\nload average (1 min): {small['_load']:.1f} / {large['_load']:.1f}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", default="hearth_bench_100k")
    parser.add_argument("--large", default="hearth_bench_1m")
    parser.add_argument("--create", action="store_true", help="Build missing databases first.")
    parser.add_argument("--repeat", type=int, default=5, help="EXPLAIN ANALYZE runs per query.")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", help="Also write both databases' figures to this file.")
    args = parser.parse_args()
    if args.measure:
        _measure_here(args.repeat)
        return
    if args.create:
        create(args.small, args.large)
    small, large = measure(args.small, args.repeat), measure(args.large, args.repeat)
    if args.json:
        with open(args.json, "w") as file:
            json.dump({"small": small, "large": large}, file, indent=2)
    print(table(small, large))


if __name__ == "__main__":
    sys.exit(main())
