"""Benchmark MLS sync throughput on the database DATABASE_URL names (it FLUSHES it).

    DATABASE_URL=postgres://root@127.0.0.1:5432/hearth_bench make bench-sync
    DATABASE_URL=... .venv/bin/python bench/mls_sync.py --records 100000 --workers 1 4

A RESO source over loopback (the tests' stdlib OData server, pages of
--page-size) serves --records listings. For each worker count W the records
are split over W sources synced at once on W threads (one source is one run;
runs of different sources are what parallelises): a full run into an empty
database, then an incremental run after 1% of the records changed price.
Prints records/s for each, and the CPU time each process spent per record:
this process (the sync), the sources' processes, the PostgreSQL backends
serving the benchmark database, and PostgreSQL's background processes (the
whole cluster's: WAL writer, checkpointer; other databases' work included).
The 5,000 records/s target on a 2-core machine allows 400 µs of CPU a record
across all of them.

Each source is served from its own process (``--source-in-process`` serves
them from this one, as the first measurements did): serving JSON is the
source's cost, not Hearth's, and in this process it would hold the GIL the
sync needs. The served, sorted rows are kept between pages for the same
reason: the tests' server sorts every record for every page.
"""

import argparse
import multiprocessing
import os
import resource
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-for-any-deployment")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("MLS_SYNC_ALLOW_PRIVATE", "true")
os.environ.setdefault("JOBS_EMBEDDED_AUTOSTART", "false")
# W workers here are W threads of one process; as W worker processes, each has its own
# pool: one connection for the run, one for the page being written behind it.
os.environ.setdefault("DATABASE_POOL_MAX_SIZE", "16")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

from mls.models import MlsSource, SyncRun  # noqa: E402
from mls.sync import sync_run_execute  # noqa: E402
from tests.mls.fake_source import FakeSource, record  # noqa: E402


class _ServedSource(FakeSource):
    """The tests' source, sorting its records once per change instead of once per page."""

    def _properties(self, path, query):
        condition = query.get("$filter", "")
        if query.get("$select") or (condition and "ModificationTimestamp" not in condition):
            return super()._properties(path, query)
        with self.lock:
            if getattr(self, "_sorted_for", None) is not self.records:
                self._sorted = sorted(
                    self.records.values(),
                    key=lambda r: (r["ModificationTimestamp"], int(r["ListingKey"])),
                )
                self._sorted_for = self.records
            rows = self._sorted
        if condition:
            mark = condition.removeprefix("ModificationTimestamp gt ")
            rows = [r for r in rows if r["ModificationTimestamp"] > mark]
        return self._page(path, query, rows)


def _records(worker: int, share: int) -> list[dict]:
    first = worker * share + 1
    return [record(n, ListingId=f"W{worker}-{n}") for n in range(first, first + share)]


def _changed(records) -> dict:
    """1% of ``records`` with a new price and a later timestamp, by key."""
    changed = {}
    for rec in list(records.values())[::100]:
        key = rec["ListingKey"]
        changed[key] = record(int(key), price=310000, minute=10**6 + int(key),
                              ListingId=rec["ListingId"])  # fmt: skip
    return changed


def _serve(worker: int, share: int, pipe) -> None:
    """A source in a process of its own: sends its URL, applies the 1% change on request."""
    with _ServedSource(_records(worker, share)) as fake:
        pipe.send(fake.url)
        while pipe.recv() == "change":
            changed = _changed(fake.records)
            with fake.lock:
                fake.records = {**fake.records, **changed}
            pipe.send(len(changed))


def _process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) of process ``pid`` so far; None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process
    return usage.ru_utime + usage.ru_stime


class _CpuMeter:
    """CPU seconds each process involved spent while the block ran.

    PostgreSQL backends come and go with the pool: a thread samples them every
    half second, so a backend that exits loses at most its last half second.
    Reading /proc needs the server on this machine; elsewhere its figures are 0.
    """

    def __init__(self, sources):
        self.source_pids = [s.process.pid for s in sources if hasattr(s, "process")]
        self.database = connection.settings_dict["NAME"]
        self.samples: dict[tuple[str, int], list[float]] = {}  # (kind, pid) -> [first, last]
        self.stop = threading.Event()

    def _sample(self, cursor, *, first=False) -> None:
        cursor.execute(
            "SELECT pid, datname = %s AND backend_type = 'client backend' "
            "FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
            "AND (datname = %s OR datname IS NULL)",
            [self.database, self.database],
        )
        for pid, ours in cursor.fetchall():
            cpu = _process_cpu(pid)
            if cpu is None:
                continue
            key = ("postgres" if ours else "background", pid)
            # A backend first seen mid-run started within it: all its time counts.
            self.samples.setdefault(key, [cpu if first else 0.0, cpu])[1] = cpu

    def _watch(self) -> None:
        settings = connection.settings_dict
        server = {
            "dbname": settings["NAME"], "user": settings["USER"], "password": settings["PASSWORD"],
            "host": settings["HOST"], "port": settings["PORT"],
        }  # fmt: skip
        # Its own connection, outside Django's pool: the runs keep every pooled one.
        with psycopg.connect(autocommit=True, **server) as watcher, watcher.cursor() as cursor:
            self._sample(cursor, first=True)
            self.started.set()
            while not self.stop.wait(0.5):
                self._sample(cursor)
            self._sample(cursor)

    def __enter__(self):
        self.started = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()
        self.started.wait(10)
        self.sources = [_process_cpu(pid) or 0.0 for pid in self.source_pids]
        self.own = _own_cpu()
        return self

    def __exit__(self, *exc):
        self.own = _own_cpu() - self.own
        self.sources = sum(
            (_process_cpu(pid) or 0.0) - before
            for pid, before in zip(self.source_pids, self.sources, strict=True)
        )
        self.stop.set()
        self.thread.join()

    def per_record(self, records: int) -> str:
        def total(kind):
            return sum(last - first for (k, _), (first, last) in self.samples.items() if k == kind)

        shares = {
            "source": self.sources,
            "sync": self.own,
            "postgres": total("postgres"),
            "pg background": total("background"),
        }
        parts = ", ".join(
            f"{name} {seconds / records * 1e6:.0f}" for name, seconds in shares.items()
        )
        return f"CPU µs/record: {parts}; all {sum(shares.values()) / records * 1e6:.0f}"


class _LocalSource:
    """The same source served by a thread of this process."""

    def __init__(self, worker: int, share: int):
        self.fake = _ServedSource(_records(worker, share)).__enter__()
        self.url = self.fake.url

    def change(self) -> int:
        changed = _changed(self.fake.records)
        with self.fake.lock:
            self.fake.records = {**self.fake.records, **changed}
        return len(changed)

    def close(self) -> None:
        self.fake.__exit__(None, None, None)


class _RemoteSource:
    def __init__(self, worker: int, share: int):
        self.pipe, theirs = multiprocessing.Pipe()
        self.process = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(worker, share, theirs), daemon=True
        )
        self.process.start()
        self.url = self.pipe.recv()

    def change(self) -> int:
        self.pipe.send("change")
        return self.pipe.recv()

    def close(self) -> None:
        self.pipe.send("stop")
        self.process.join(timeout=10)


def _sync(source_id: int) -> SyncRun:
    try:
        run = SyncRun.objects.create(source_id=source_id, trigger="command")
        return sync_run_execute(run_id=run.pk)
    finally:
        connections.close_all()


def _timed(sources, served) -> tuple[float, list[SyncRun], _CpuMeter]:
    connections.close_all()  # back to the pool, for the workers
    with _CpuMeter(served) as cpu:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(sources)) as pool:
            runs = list(pool.map(_sync, [s.pk for s in sources]))
        seconds = time.perf_counter() - started
    return seconds, runs, cpu


def bench(records: int, workers: int, page_size: int, *, in_process: bool = False) -> None:
    call_command("flush", "--no-input", verbosity=0)
    share = records // workers
    served = [(_LocalSource if in_process else _RemoteSource)(w, share) for w in range(workers)]
    try:
        sources = [
            MlsSource.objects.create(name=f"bench {w}", url=source.url, page_size=page_size)
            for w, source in enumerate(served)
        ]
        seconds, runs, cpu = _timed(sources, served)
        created = sum(r.created for r in runs)
        assert created == share * workers, [(r.status, r.message) for r in runs]
        print(f"workers {workers}: full        {created:>7} records {seconds:7.1f} s "
              f"{created / seconds:8.0f} records/s  (load {_load()})")  # fmt: skip
        print(f"    {cpu.per_record(created)}")
        changed = sum(source.change() for source in served)
        seconds, runs, cpu = _timed(sources, served)
        updated = sum(r.updated for r in runs)
        assert updated == changed, [(r.status, r.message, r.counts) for r in runs]
        print(f"workers {workers}: incremental {updated:>7} records {seconds:7.1f} s "
              f"{updated / seconds:8.0f} records/s  (load {_load()})")  # fmt: skip
        print(f"    {cpu.per_record(updated)}")
    finally:
        for source in served:
            source.close()


def _load() -> str:
    return " ".join(f"{figure:.2f}" for figure in os.getloadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument(
        "--source-in-process",
        action="store_true",
        help="serve the sources from threads of this process (sharing its GIL)",
    )
    options = parser.parse_args()
    for workers in options.workers:
        bench(options.records, workers, options.page_size, in_process=options.source_in_process)


if __name__ == "__main__":
    main()
