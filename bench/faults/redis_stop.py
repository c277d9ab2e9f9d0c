#!/usr/bin/env python3
"""Redis stopped while load runs: the API keeps serving and /readyz reports the cache down.

Throttling is enabled with Redis as the store; while Redis is down the cache
fails open (config.cache), so throttling is not enforced and nothing fails.
"""

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    Checks,
    Load,
    log,
    port,
    reads,
    request,
    start_gunicorn,
    start_scratch_services,
    summarize,
)

PORT = port(18502)
checks = Checks("redis_stop")
postgres, redis, _ = start_scratch_services()
server = start_gunicorn(PORT, "redis_stop")
paths = ["/api/properties/", "/api/properties/?city=Austin"]
load = Load(PORT, 8, reads(paths)).start()
try:
    time.sleep(3)
    ready_before = request("GET", "/readyz", port=PORT)
    log("stopping Redis")
    redis.stop()
    down_at = time.monotonic()
    time.sleep(6)
    ready_during = request("GET", "/readyz", port=PORT)
    log("starting Redis again")
    redis.start()
    up_at = time.monotonic()
    time.sleep(7)  # past the cache's 5 s back-off
    ready_after = request("GET", "/readyz", port=PORT)
finally:
    load.stop()
    server.stop()

results = load.snapshot()
during = [r for r in results if down_at <= r.started and r.finished <= up_at]
by_status, slowest = summarize(results)
log(f"all: {len(results)} requests, statuses {by_status}, slowest {slowest:.2f} s")
by_status, slowest_during = summarize(during)
log(f"while Redis was down: {len(during)} requests, statuses {by_status}")
for label, ready in [("before", ready_before), ("during", ready_during), ("after", ready_after)]:
    log(f"/readyz {label}: {ready.status} {ready.body.decode()}")

checks.check("every request answered 200", results and all(r.status == 200 for r in results))
checks.check("requests were served while Redis was down", len(during) > 50, str(len(during)))
checks.check(
    "no request slowed past 1 s while Redis was down",
    slowest_during < 1.0,
    f"slowest {slowest_during:.2f} s",
)
checks.check("/readyz 200 before", ready_before.status == 200)
checks.check(
    "/readyz 503 naming the cache while Redis is down",
    ready_during.status == 503 and json.loads(ready_during.body)["failed"] == ["cache"],
)
checks.check("/readyz 200 again after Redis is back", ready_after.status == 200)
checks.finish()
