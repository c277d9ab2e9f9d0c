"""Benchmark import_listings and seed_demo on the database DATABASE_URL names.

    DATABASE_URL=postgres://root@127.0.0.1:5432/hearth_bench make bench
    DATABASE_URL=... .venv/bin/python bench/import_listings.py --rows 100000

It FLUSHES that database (every table), so point it at a scratch one. Steps:
generate a RESO CSV of --rows listings (0.1% of them bad on purpose), import it
into an empty database, import it again (nothing changes), import it with 1% of
prices changed, then time seed_demo --listings --rows on an empty database.
"""

import argparse
import csv
import io
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Debug mode would keep every query in memory; the bench needs a key without it.
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-for-any-deployment")
# Measured with production settings, whatever a developer's .env says.
os.environ.setdefault("DJANGO_DEBUG", "false")

import django  # noqa: E402

django.setup()

import factory.random  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from properties.factories import PropertyFactory  # noqa: E402
from properties.reso import RESO_FIELDS, csv_safe, listing_to_reso  # noqa: E402
from users.factories import AgentFactory  # noqa: E402

BAD_ROW_EVERY = 1000


def feed_write(path, rows, agents, *, price_change_every=0):
    factory.random.reseed_random(2026)
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(RESO_FIELDS)
        for n in range(rows):
            listing = PropertyFactory.build(
                mls_number=f"B{n:07d}", listing_agent=agents[n % len(agents)]
            )
            record = listing_to_reso(listing)
            if n % BAD_ROW_EVERY == BAD_ROW_EVERY - 1:
                record["ListPrice"] = "-1"
            elif price_change_every and n % price_change_every == 0:
                record["ListPrice"] = str(Decimal(record["ListPrice"]) - 1000)
            writer.writerow(csv_safe(value) for value in record.values())


def timed(label, rows, *args):
    out, err = io.StringIO(), io.StringIO()
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit:
        pass  # import_listings exits 1 because of the deliberate bad rows
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    last = out.getvalue().strip().splitlines()[-1]
    # Other processes on the machine slow the wall clock; the load average says how much.
    load = os.getloadavg()[0]
    print(
        f"{label:<30} {elapsed:6.1f} s {rows / elapsed:7,.0f} rows/s "
        f"(Python CPU {cpu:5.1f} s, load {load:4.1f})  {last}"
    )
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--skip-seed", action="store_true")
    options = parser.parse_args()
    rows = options.rows
    if connection.vendor != "postgresql":
        print(f"warning: running on {connection.vendor}; the targets are for PostgreSQL")
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    agents = AgentFactory.create_batch(25)

    with tempfile.TemporaryDirectory() as directory:
        feed = Path(directory) / "feed.csv"
        changed = Path(directory) / "changed.csv"
        started = time.perf_counter()
        feed_write(feed, rows, agents)
        feed_write(changed, rows, agents, price_change_every=100)
        size = feed.stat().st_size / 1e6
        print(
            f"generated 2 RESO CSV feeds of {rows:,} rows ({size:.0f} MB each) "
            f"in {time.perf_counter() - started:.1f} s on {connection.vendor}"
        )
        timed("import, empty database", rows, "import_listings", str(feed))
        timed("import again, nothing changed", rows, "import_listings", str(feed))
        timed("dry run, 1% prices changed", rows, "import_listings", str(changed), "--dry-run")
        timed("import, 1% prices changed", rows, "import_listings", str(changed))

    if not options.skip_seed:
        call_command("flush", interactive=False, verbosity=0)
        timed(
            f"seed_demo --listings {rows}",
            rows,
            "seed_demo",
            "--listings",
            str(rows),
            "--agents",
            "100",
            "--seed",
            "1",
        )


if __name__ == "__main__":
    main()
