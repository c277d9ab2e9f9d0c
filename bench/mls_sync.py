"""Benchmark MLS sync throughput on the database DATABASE_URL names (it FLUSHES it).

    DATABASE_URL=postgres://root@127.0.0.1:5432/hearth_bench make bench-sync
    DATABASE_URL=... .venv/bin/python bench/mls_sync.py --records 100000 --workers 1 4

A RESO source over loopback (the tests' stdlib OData server, pages of
--page-size) serves --records listings. For each worker count W the records
are split over W sources synced at once on W threads (one source is one run;
runs of different sources are what parallelises): a full run into an empty
database, then an incremental run after 1% of the records changed price.
Prints records/s for each.
"""

import argparse
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-for-any-deployment")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("MLS_SYNC_ALLOW_PRIVATE", "true")
os.environ.setdefault("JOBS_EMBEDDED_AUTOSTART", "false")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from mls.models import MlsSource, SyncRun  # noqa: E402
from mls.sync import sync_run_execute  # noqa: E402
from tests.mls.fake_source import FakeSource, record  # noqa: E402


def _sync(source_id: int) -> SyncRun:
    try:
        run = SyncRun.objects.create(source_id=source_id, trigger="command")
        return sync_run_execute(run_id=run.pk)
    finally:
        connections.close_all()


def _timed(sources) -> tuple[float, list[SyncRun]]:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(sources)) as pool:
        runs = list(pool.map(_sync, [s.pk for s in sources]))
    return time.perf_counter() - started, runs


def bench(records: int, workers: int, page_size: int) -> None:
    call_command("flush", "--no-input", verbosity=0)
    share = records // workers
    fakes = [
        FakeSource(
            [record(n, ListingId=f"W{w}-{n}") for n in range(w * share + 1, (w + 1) * share + 1)]
        ).__enter__()
        for w in range(workers)
    ]
    try:
        sources = [
            MlsSource.objects.create(name=f"bench {w}", url=fake.url, page_size=page_size)
            for w, fake in enumerate(fakes)
        ]
        seconds, runs = _timed(sources)
        created = sum(r.created for r in runs)
        assert created == share * workers, [(r.status, r.message) for r in runs]
        print(f"workers {workers}: full        {created:>7} records {seconds:7.1f} s "
              f"{created / seconds:8.0f} records/s")  # fmt: skip
        changed = 0
        for fake in fakes:
            keys = list(fake.records)[::100]
            for key in keys:
                fake.records[key] = record(int(key), price=310000, minute=10**6 + int(key),
                                           ListingId=fake.records[key]["ListingId"])  # fmt: skip
            changed += len(keys)
        seconds, runs = _timed(sources)
        updated = sum(r.updated for r in runs)
        assert updated == changed, [(r.status, r.message, r.counts) for r in runs]
        print(f"workers {workers}: incremental {updated:>7} records {seconds:7.1f} s "
              f"{updated / seconds:8.0f} records/s")  # fmt: skip
    finally:
        for fake in fakes:
            fake.__exit__(None, None, None)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--page-size", type=int, default=1000)
    options = parser.parse_args()
    for workers in options.workers:
        bench(options.records, workers, options.page_size)


if __name__ == "__main__":
    main()
