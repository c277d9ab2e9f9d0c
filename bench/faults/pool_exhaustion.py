#!/usr/bin/env python3
"""More concurrent requests than the connection pool holds, and a runaway query.

A session outside the app takes an exclusive lock on the listings table, so
every listing query blocks: the blocked queries hold the pool's connections
(a runaway query), and the requests behind them find the pool empty. One
worker with 8 threads shares a pool of 2 connections.

Passes when: requests that cannot get a connection answer 503 within the
pool timeout (2 s here), the blocked queries are cancelled by the statement
timeout (3 s here) and answer 503, no request waits longer than the two
timeouts together (nowhere near gunicorn's 30 s), and once the lock is gone
everything answers 200 again.
"""

import sys
import threading
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    DATABASE_URL,
    Checks,
    Load,
    log,
    port,
    reads,
    start_gunicorn,
    start_scratch_services,
    summarize,
)

PORT = port(18503)
LOCK_SECONDS = 10
checks = Checks("pool_exhaustion")
start_scratch_services()
server = start_gunicorn(
    PORT,
    "pool_exhaustion",
    GUNICORN_WORKERS=1,
    GUNICORN_THREADS=8,
    DATABASE_POOL_MAX_SIZE=2,
    DATABASE_POOL_TIMEOUT=2,
    DATABASE_STATEMENT_TIMEOUT_MS=3000,
    # Cached lists read only the data version, not the locked table, and keep
    # answering 200 through the lock; this script is about the listing queries.
    API_RESPONSE_CACHE="false",
)
# As many clients as threads (8), four times what the pool (2) holds.
load = Load(PORT, 8, reads(["/api/properties/"])).start()


def hold_lock():
    with psycopg.connect(DATABASE_URL, autocommit=False) as conn:
        conn.execute("LOCK TABLE properties_property IN ACCESS EXCLUSIVE MODE")
        time.sleep(LOCK_SECONDS)
        conn.rollback()


try:
    time.sleep(3)
    log(f"locking the listings table for {LOCK_SECONDS} s")
    locked_at = time.monotonic()
    locker = threading.Thread(target=hold_lock)
    locker.start()
    locker.join()
    unlocked_at = time.monotonic()
    log("lock released")
    time.sleep(5)
finally:
    load.stop()
    server.stop()

results = load.snapshot()
during = [r for r in results if locked_at + 0.5 <= r.started and r.started <= unlocked_at - 6]
after = [r for r in results if r.started >= unlocked_at + 1]
by_status, slowest = summarize(during)
log(f"while locked: {len(during)} requests, statuses {by_status}, slowest {slowest:.2f} s")
server_log = server.log_path.read_text()
pool_timeouts = server_log.count("couldn't get a connection")
statement_timeouts = server_log.count("statement timeout")
log(f"server log: {pool_timeouts} pool timeouts, {statement_timeouts} statement timeouts")
by_status_after, _ = summarize(after)
log(f"after the lock: {len(after)} requests, statuses {by_status_after}")

checks.check(
    "requests during the lock answered 503", during and all(r.status == 503 for r in during)
)
checks.check("the pool timed out fast for some (pool exhausted)", pool_timeouts > 0)
checks.check("the statement timeout cancelled the blocked queries", statement_timeouts > 0)
# Worst case: wait the whole pool timeout (2 s), get a connection, then block
# until the statement timeout (3 s) cancels the query.
slowest_all = max(r.seconds for r in results)
checks.check(
    "no request took longer than 5.5 s", slowest_all <= 5.5, f"slowest {slowest_all:.2f} s"
)
checks.check("all 200 after the lock", after and all(r.status == 200 for r in after))
checks.finish()
