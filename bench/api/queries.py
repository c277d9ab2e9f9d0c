"""Database work per request: PostgreSQL's statistics, and the SQL Django sends."""

import http.client
import json
import subprocess
import time

from bench.api import BENCH, PYTHON, ROOT, log
from bench.api.database import psql
from bench.api.endpoints import fetch
from bench.api.servers import hearth_env


def pg_counters(args, database_url):
    row = psql(
        args.admin_url,
        "SELECT xact_commit + xact_rollback, tup_returned, tup_fetched, blks_hit + blks_read, "
        "(SELECT sum(seq_scan + coalesce(idx_scan, 0)) FROM pg_stat_user_tables), "
        "(SELECT seq_scan + coalesce(idx_scan, 0) FROM pg_stat_user_tables "
        "WHERE relname = 'properties_property') "
        "FROM pg_stat_database WHERE datname = current_database()",
        database_url=database_url,
    )
    values = [int(v) for v in row.split("|")]
    names = ("transactions", "tup_returned", "tup_fetched", "blocks", "scans", "listing_scans")
    return dict(zip(names, values, strict=True))


# PostgreSQL 15 backends flush their statistics at most once a second while
# busy and 10 s after going idle (PGSTAT_IDLE_INTERVAL); waiting this long after
# the last request makes the counters complete.
STATS_FLUSH_SECONDS = 11.5


def count_queries(args, database_url, targets):
    """Per-request database work from PostgreSQL's statistics, for each (server, path) in turn.

    pg_stat_statements is not loaded on the shared server, so statements are
    not counted directly. Recorded instead: transactions (``queries``; Django
    autocommits, so each statement and each pool health check is one, while
    SQLAlchemy runs a request's statements in one transaction), scans of the
    listing table and of all tables (one per table a statement reads, one per
    evaluation of a correlated subquery), rows read and buffers touched.
    Nothing else uses the benchmark database meanwhile; each reading's own
    psql connection adds one transaction, subtracted here.
    """
    readings = {}
    time.sleep(STATS_FLUSH_SECONDS)
    before = pg_counters(args, database_url)
    for key, (server, path) in targets.items():
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        for _ in range(args.count_requests):
            status, _ = fetch(server.port, path, connection=conn)
            if status != 200:
                raise RuntimeError(f"{server.name} answered {status} for {path}")
        conn.close()
        time.sleep(STATS_FLUSH_SECONDS)
        after = pg_counters(args, database_url)
        delta = {name: after[name] - before[name] for name in before}
        delta["transactions"] -= 1
        n = args.count_requests
        readings[key] = {
            "queries": round(delta["transactions"] / n, 2),
            "listing_scans": round(delta["listing_scans"] / n, 2),
            "table_scans": round(delta["scans"] / n, 2),
            "rows_read": round((delta["tup_returned"] + delta["tup_fetched"]) / n, 1),
            "buffers": round(delta["blocks"] / n, 1),
        }
        log(f"{key[0]} {key[1]}: {readings[key]}")
        before = after
    return readings


def capture_sql(database_url, paths):
    result = subprocess.run(
        [PYTHON, str(BENCH / "capture_list_sql.py"), *paths],
        cwd=ROOT,
        env=hearth_env(database_url, API_RESPONSE_CACHE="false"),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(f"capturing SQL failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout)
