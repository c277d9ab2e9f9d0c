#!/usr/bin/env python3
"""gunicorn reloaded (HUP, twice) and stopped (TERM) under load: zero failed requests.

HUP: gunicorn starts new workers and retires the old ones gracefully; every
request must succeed. TERM: gunicorn stops accepting and lets requests in
flight finish; every request that had started before the TERM must succeed.
(Connections refused after the TERM are expected: a load balancer takes the
server out of rotation; they are counted but not failures.)
"""

import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Checks, Load, log, port, start_gunicorn, start_scratch_services, summarize

PORT = port(18504)
checks = Checks("gunicorn_signals")
_, _, token = start_scratch_services()
server = start_gunicorn(PORT, "gunicorn_signals")
auth = {"Authorization": f"Token {token}"}


def next_request(index, iteration):
    if index < 3 and iteration % 2:
        body = {"price": str(400000 + iteration)}
        return "PATCH", "/api/properties/1/", body, auth
    return "GET", ["/api/properties/", "/api/properties/?page=2"][iteration % 2], None, None


load = Load(PORT, 12, next_request).start()
try:
    for _ in range(2):
        time.sleep(4)
        log("HUP")
        server.signal(signal.SIGHUP)
    time.sleep(5)
    log("TERM")
    term_at = time.monotonic()
    server.signal(signal.SIGTERM)
    server.process.wait(timeout=40)
    exited_after = time.monotonic() - term_at
    log(f"gunicorn exited {exited_after:.2f} s after TERM with code {server.process.returncode}")
finally:
    load.stop()
    server.stop()

results = load.snapshot()
before_term = [r for r in results if r.started < term_at]
in_flight = [r for r in before_term if r.finished > term_at]
after_term = [r for r in results if r.started >= term_at]
by_status, slowest = summarize(before_term)
log(
    f"before TERM (HUPs included): {len(before_term)} requests, {by_status}, "
    f"slowest {slowest:.2f} s"
)
log(f"in flight at TERM: {len(in_flight)}, statuses {summarize(in_flight)[0]}")
log(f"started after TERM (refused, expected): {len(after_term)}, {summarize(after_term)[0]}")
writes = [r for r in before_term if r.method == "PATCH"]

checks.check(
    "zero failed requests through two HUP reloads and the TERM",
    before_term and all(r.status == 200 for r in before_term),
    str(by_status),
)
checks.check("writes were part of the load", len(writes) > 10, f"{len(writes)} PATCHes")
checks.check("gunicorn exited cleanly after TERM", server.process.returncode == 0)
checks.check("and within the graceful timeout", exited_after < 30, f"{exited_after:.2f} s")
checks.finish()
