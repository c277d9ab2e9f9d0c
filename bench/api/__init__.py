"""Read-API benchmark: Hearth under gunicorn against a FastAPI reference, and the pgbench floor.

`make bench-api` runs it (``python -m bench.api``); `make bench-api BENCH_API_ARGS="--help"`
lists the options. Steps (bench/README.md has the rules, bench/RESULTS.md the figures):

1. a PostgreSQL database (``hearth_bench_api``, dropped and recreated unless
   ``--reuse-db``), migrated, seeded with ``seed_demo --photos`` (100,000
   listings, one in three with photos), ``VACUUM ANALYZE`` (database.py);
2. Hearth with gunicorn.conf.py and production settings (browsable API off,
   throttles out of reach, response cache off) and the reference
   (bench/reference/) with uvicorn (servers.py);
3. the same URLs fetched from both: the bodies must be byte-for-byte equal
   (correctness.py);
4. queries per request, from PostgreSQL's own statistics (pg_stat_database)
   (queries.py);
5. wrk at 1, 8, 32, 64 connections per endpoint, Hearth and the reference
   alternately; req/s, p50, p99, non-2xx, server RSS (load.py);
6. pgbench replaying the SQL Hearth runs for the list endpoint (the floor) (load.py);
7. unless ``--no-cached``: Hearth again with its response cache on, as separate
   rows (cached.py).

Results: a table on stdout, JSON under bench/out/, Markdown with ``--markdown
FILE`` (report.py). Everything listens on 127.0.0.1 only; every load run is
bounded by --duration.
"""

import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
OUT = BENCH / "out"
PYTHON = ROOT / ".venv" / "bin" / "python"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.2f}] {message}", flush=True)
