#!/usr/bin/env python3
"""PostgreSQL stopped and started again while load runs.

Passes when: during the outage every request is answered (no hang past a few
seconds) with 503 and a JSON ``detail`` (or 200 from a connection that still
worked), never 500 or HTML; and after PostgreSQL is back, requests succeed
again without gunicorn being restarted.
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Checks, Load, log, reads, start_gunicorn, start_scratch_services, summarize

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--outage", type=float, default=8.0, help="seconds PostgreSQL stays down")
args = parser.parse_args()

checks = Checks("pg_restart")
postgres, redis, _ = start_scratch_services()
server = start_gunicorn(18501, "pg_restart")
paths = ["/api/properties/", "/api/properties/?price_min=100000", "/readyz"]
load = Load(18501, 8, reads(paths)).start()
try:
    time.sleep(4)
    log("stopping PostgreSQL")
    down_at = time.monotonic()
    postgres.stop()
    time.sleep(args.outage)
    log("starting PostgreSQL again")
    postgres.start_again()
    up_at = time.monotonic()
    time.sleep(8)
finally:
    load.stop()
    server.stop()

results = load.snapshot()
before = [r for r in results if r.finished < down_at]
during = [r for r in results if down_at <= r.started and r.finished <= up_at]
after = [r for r in results if r.started >= up_at + 3]
for label, part in [("before", before), ("during", during), ("after (from 3 s)", after)]:
    by_status, slowest = summarize(part)
    log(f"{label}: {len(part)} requests, statuses {by_status}, slowest {slowest:.2f} s")

checks.check(
    "requests succeeded before the outage", before and all(r.status == 200 for r in before)
)
failed_during = [r for r in during if r.status != 200]
checks.check("requests failed during the outage", len(failed_during) > 0, f"{len(failed_during)}")
checks.check(
    "every failure during the outage is 503",
    all(r.status == 503 for r in failed_during),
    str(summarize(failed_during)[0]),
)
api_503 = [r for r in failed_during if r.path.startswith("/api/")]
checks.check(
    "API 503s carry a JSON detail",
    all("detail" in json.loads(r.body) for r in api_503),
)
for r in sorted(during, key=lambda r: -r.seconds)[:3]:
    log(
        f"  slow: {r.method} {r.path} -> {r.status} in {r.seconds:.2f} s, "
        f"started {r.started - down_at:+.2f} s after the stop"
    )
slowest = max((r.seconds for r in during), default=0)
# Server side, from the app's request log: a request waits at most the pool
# timeout (3 s) for a connection, then answers 503.
server_503_ms = [
    entry["duration_ms"]
    for line in server.log_path.read_text().splitlines()
    if line.startswith("{")
    for entry in [json.loads(line)]
    if entry.get("logger") == "hearth.request" and entry.get("status") == 503
]
slowest_server = max(server_503_ms, default=0) / 1000
checks.check(
    "server: every 503 answered within the pool timeout + 0.5 s",
    server_503_ms and slowest_server <= 3.5,
    f"{len(server_503_ms)} answers, slowest {slowest_server:.2f} s",
)
# Client side a request can also queue behind another one that is waiting on
# the pool in the same worker (more keep-alive connections than threads), so
# the bound there is twice the pool timeout plus a second.
checks.check(
    "client: no request hung (all answered within 7 s)",
    slowest <= 7.0,
    f"slowest {slowest:.2f} s",
)
recovery = next(
    (r.finished - up_at for r in results if r.started >= up_at and r.status == 200), None
)
checks.check(
    "service recovered by itself after PostgreSQL came back",
    after and all(r.status == 200 for r in after),
    f"first success {recovery:.2f} s after restart" if recovery is not None else "no success",
)
checks.finish()
