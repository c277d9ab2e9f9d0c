"""The database's floor for writing listings: rows/s and CPU of one backend, no Python.

    DATABASE_URL=postgres://... .venv/bin/python bench/listing_write_floor.py --rows 100000

Copies the database's own listings (``seed_demo``'s, say: at least 1,000) into
new rows with fresh MLS numbers, by INSERT ... SELECT into the listing table with
every index and trigger in place: once as one statement, once as statements of
``--batch`` rows each committed on its own (an MLS sync writes a page a
transaction). Each pass is rolled back or deleted afterwards. Reports rows/s
and the backend's CPU µs a row (from /proc: the server must run on this machine).
"""

import argparse
import os
import sys
import time

import psycopg

# Columns the database writes itself (generated, or the photo summary's).
NOT_COPIED = {"id", "bathrooms", "mls_scope", "photo_total", "primary_photo_image"}


def _backend_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _insert(columns: list[str], first: int, rows: int, seed_rows: int) -> str:
    """``rows`` copies of seed listings numbered from ``first``, with new MLS numbers."""
    values = ", ".join(f"'F' || (s.n + {first})" if c == "mls_number" else c for c in columns)
    return (
        f"INSERT INTO properties_property ({', '.join(columns)}) SELECT {values} FROM "  # noqa: S608
        f"(SELECT g AS n, p.* FROM generate_series(0, {rows - 1}) g "
        f"JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS i, * FROM properties_property "
        f"WHERE mls_number NOT LIKE 'F%%') p ON p.i = g % {seed_rows}) s"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    options = parser.parse_args()
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as db:
        columns = [
            name
            for (name,) in db.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'properties_property' ORDER BY ordinal_position"
            )
            if name not in NOT_COPIED
        ]
        db.execute(
            "CREATE TEMPORARY TABLE floor_seed AS SELECT row_number() OVER (ORDER BY id) - 1 "
            "AS i, * FROM properties_property WHERE mls_number NOT LIKE 'F%'"
        )
        (seed_rows,) = db.execute("SELECT count(*) FROM floor_seed").fetchone()
        if seed_rows < options.batch:
            sys.exit(f"Seed at least {options.batch} listings first (seed_demo).")
        (pid,) = db.execute("SELECT pg_backend_pid()").fetchone()

        def measure(label, statements):
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            cpu, started = _backend_cpu(pid), time.perf_counter()
            for statement in statements:
                db.execute(statement)
            seconds, cpu = time.perf_counter() - started, _backend_cpu(pid) - cpu
            rate, cpu_a_row = options.rows / seconds, cpu / options.rows * 1e6
            print(f"{label}: {options.rows} rows {seconds:6.1f} s {rate:7.0f} rows/s, "
                  f"backend CPU {cpu_a_row:4.0f} µs/row (load {load})")  # fmt: skip

        one = _insert(columns, 0, options.rows, seed_rows)
        measure("one statement", ["BEGIN", one, "ROLLBACK"])
        batches = [
            _insert(columns, first, options.batch, seed_rows)
            for first in range(0, options.rows, options.batch)
        ]
        measure(f"{options.batch}-row statements, each committed", batches)
        # The copies, their history and events go again (raw SQL: the rules still fire).
        db.execute(
            "DELETE FROM properties_listingchange WHERE property_id IN "
            "(SELECT id FROM properties_property WHERE mls_number LIKE 'F%')"
        )
        db.execute("DELETE FROM properties_property WHERE mls_number LIKE 'F%'")


if __name__ == "__main__":
    main()
