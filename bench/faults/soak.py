#!/usr/bin/env python3
"""64 connections on a mixed read/write workload for 60 s: zero 5xx, RSS flat.

Reads (80%): listing pages, filtered lists, details. Writes (20%): price
changes and new listings by an agent. Worker recycling (max_requests) is off
for the run so a leak would show in RSS instead of being hidden by restarts.
"""

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Checks, Load, log, port, start_gunicorn, start_scratch_services, summarize

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--duration", type=int, default=60, help="seconds of load (default 60)")
parser.add_argument("--connections", type=int, default=64)
args = parser.parse_args()

PORT = port(18505)
checks = Checks("soak")
_, _, token = start_scratch_services(listings=500)
server = start_gunicorn(PORT, "soak", GUNICORN_MAX_REQUESTS=0)
auth = {"Authorization": f"Token {token}"}
READS = [
    "/api/properties/",
    "/api/properties/?page=3",
    "/api/properties/?price_min=200000&bedrooms_min=2",
    "/api/properties/?city=Denver&ordering=-price",
    "/api/properties/{id}/",
    "/api/properties/{id}/price-history/",
]


def next_request(index, iteration):
    listing = 1 + (index * 7919 + iteration * 104729) % 200
    slot = (index + iteration) % 10
    if slot == 0:
        return "PATCH", f"/api/properties/{listing}/", {"price": f"{300000 + iteration}.00"}, auth
    if slot == 5:
        body = {
            "property_type": "residential",
            "street_address": f"{index} Soak Street {iteration}",
            "city": "Austin",
            "state": "TX",
            "postal_code": "78701",
            "price": "350000.00",
        }
        return "POST", "/api/properties/", body, auth
    return "GET", READS[(index + iteration) % len(READS)].format(id=listing), None, None


samples = []
stop_sampling = threading.Event()


def sample_rss():
    started = time.monotonic()
    while not stop_sampling.wait(5):
        samples.append((time.monotonic() - started, server.rss_mb()))


sampler = threading.Thread(target=sample_rss, daemon=True)
load = Load(PORT, args.connections, next_request).start()
sampler.start()
try:
    time.sleep(args.duration)
finally:
    load.stop()
    stop_sampling.set()
    server.stop()

results = load.snapshot()
by_status, slowest = summarize(results)
latencies = sorted(r.seconds for r in results)
p50 = latencies[len(latencies) // 2]
p99 = latencies[int(len(latencies) * 0.99)]
writes = [r for r in results if r.method != "GET"]
log(
    f"{len(results)} requests in {args.duration} s ({len(results) / args.duration:.0f}/s), "
    f"{len(writes)} writes; statuses {by_status}"
)
log(f"latency p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {slowest * 1000:.0f} ms")
log("RSS (master + workers, MiB): " + ", ".join(f"{t:.0f}s={mb:.0f}" for t, mb in samples))

server_errors = [r for r in results if r.status >= 500]
failed = [r for r in results if r.status == 0]
checks.check("zero 5xx", not server_errors, f"{len(server_errors)}")
checks.check("zero connection errors", not failed, f"{len(failed)}")
checks.check(
    "writes succeeded", writes and all(r.status in (200, 201) for r in writes), f"{len(writes)}"
)
# The first samples include warm-up (imports, caches, first connections).
warm = [mb for t, mb in samples if t >= min(15, args.duration / 3)]
if len(warm) >= 2:
    growth = warm[-1] - warm[0]
    checks.check(
        "RSS flat after warm-up (growth within 10% + 10 MiB)",
        warm[-1] <= warm[0] * 1.10 + 10,
        f"{warm[0]:.0f} -> {warm[-1]:.0f} MiB ({growth:+.0f})",
    )
checks.finish()
