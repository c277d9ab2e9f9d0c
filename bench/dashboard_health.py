"""The dashboard's sync and import health panel on a database with many runs (it FLUSHES it).

    DATABASE_URL=postgres://root@127.0.0.1:5432/hearth_bench \\
        .venv/bin/python bench/dashboard_health.py --sources 50 --runs 2000 --imports 5000

Creates --sources MLS sources with --runs sync runs each and --imports import
runs, then times ``properties.dashboard._sync_health`` (the panel's queries)
and prints the median, the query count and each query's plan.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-for-any-deployment")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("JOBS_EMBEDDED_AUTOSTART", "false")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from imports.models import ImportRun  # noqa: E402
from mls.models import MlsSource, SyncRun  # noqa: E402
from properties.dashboard import Dashboard, _sync_health  # noqa: E402


def seed(sources: int, runs: int, imports: int) -> None:
    call_command("flush", interactive=False, verbosity=0)
    created = MlsSource.objects.bulk_create(
        MlsSource(name=f"MLS {n:03}", url=f"https://mls{n}.example.com/reso/odata/")
        for n in range(sources)
    )
    for source in created:
        SyncRun.objects.bulk_create(
            (SyncRun(source=source, trigger="schedule", status="succeeded") for _ in range(runs)),
            batch_size=5000,
        )
    ImportRun.objects.bulk_create(
        (ImportRun(file_name=f"f{n}.csv", content=b"ListingId\n", size=10) for n in range(imports)),
        batch_size=5000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sources", type=int, default=50)
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--imports", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    seed(args.sources, args.runs, args.imports)
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        _sync_health(Dashboard())
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        _sync_health(Dashboard())
    print(
        f"{connection.vendor}: {args.sources} sources x {args.runs} runs, {args.imports} imports: "
        f"median {statistics.median(timings):.1f} ms, {len(queries.captured_queries)} queries"
    )
    if connection.vendor == "postgresql":
        for query in queries.captured_queries:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN ANALYZE {query['sql']}")
                plan = [row[0] for row in cursor.fetchall()]
            print(f"\n{query['sql'][:160]}...\n  " + "\n  ".join(plan))


if __name__ == "__main__":
    main()
