#!/usr/bin/env python3
"""50 slow clients trickling headers and bodies: everyone else's latency unchanged.

Half the slow clients send a request line and then one header line every
second, never finishing their headers; the other half send an agent's
complete, authenticated listing update announcing a 100 kB body, and then one
byte a second (past authentication, throttling and permissions, where the
view reads the body). Meanwhile a load generator (8 clients, each request on
a new connection, listing pages and details) measures latency before, during
and after. The old gthread workers read requests in their threads, which the
slow clients held; uvicorn workers read requests in their event loops, and a
request enters Django only once it has fully arrived (config.buffering).

Passes when: no error or non-200 answer during the attack, the median and 95th
percentile latency during it are within noise of the calm phases around it
(at most 1.5 × + 25 ms and 2 × + 50 ms), and the slow connections were still
open at the end (the server did not merely cut them off).

``--gthread`` runs the same against the previous set-up (config.wsgi under
gthread workers), to show what it fixes; that run is expected to fail.
"""

import argparse
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Checks, Load, log, port, start_gunicorn, start_scratch_services  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--slow-clients", type=int, default=50)
parser.add_argument("--connections", type=int, default=8, help="load generator connections")
parser.add_argument("--phase-seconds", type=float, default=12.0)
parser.add_argument("--gthread", action="store_true", help="measure the old gthread workers")
args = parser.parse_args()

PORT = port(18506)
HEADER_INTERVAL = 1.0
BODY_INTERVAL = 1.0
checks = Checks("slow_clients" + (" (gthread)" if args.gthread else ""))
_, _, token = start_scratch_services()
old_setup = {"HEARTH_APP": "config.wsgi", "GUNICORN_WORKER_CLASS": "gthread"}
server = start_gunicorn(PORT, "slow_clients", **(old_setup if args.gthread else {}))
READS = ["/api/properties/", "/api/properties/?page=2", "/api/properties/{id}/"]


def next_request(index, iteration):
    listing = 1 + (index * 31 + iteration * 17) % 200
    return "GET", READS[(index + iteration) % len(READS)].format(id=listing), None, None


class SlowClient(threading.Thread):
    """One connection that never finishes its request."""

    def __init__(self, number, stop, token):
        super().__init__(daemon=True)
        self.number, self.stop, self.error, self.token = number, stop, "", token
        self.sock = socket.create_connection(("127.0.0.1", PORT), timeout=10)
        self.trickles_headers = number % 2 == 0

    def run(self):
        try:
            if self.trickles_headers:
                self.sock.sendall(b"GET /api/properties/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                line = 0
                while not self.stop.wait(HEADER_INTERVAL):
                    self.sock.sendall(f"X-Slow-{line}: {'x' * 20}\r\n".encode())
                    line += 1
            else:
                # An agent's listing update: past authentication, throttling and
                # permissions, the view reads the body, which arrives a byte a second.
                self.sock.sendall(
                    f"PATCH /api/properties/{1 + self.number}/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    f"Authorization: Token {self.token}\r\nContent-Type: application/json\r\n"
                    "Content-Length: 100000\r\n\r\n{".encode()
                )
                while not self.stop.wait(BODY_INTERVAL):
                    self.sock.sendall(b" ")
        except OSError as exc:
            self.error = exc.__class__.__name__

    def still_open(self):
        """True while the server has neither answered nor closed the connection."""
        self.sock.setblocking(False)
        try:
            self.sock.recv(1, socket.MSG_PEEK)
            return False  # an answer (an error, say) or the end of the connection
        except BlockingIOError:
            return True  # nothing to read: open and waiting, as it should be
        except OSError:
            return False

    def close(self):
        self.sock.close()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def phase_stats(results):
    seconds = [r.seconds for r in results]
    bad = [r for r in results if r.status != 200]
    return {
        "requests": len(results),
        "errors": len(bad),
        "p50_ms": round(percentile(seconds, 0.50) * 1000, 1),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 1),
        "p99_ms": round(percentile(seconds, 0.99) * 1000, 1),
        "max_ms": round(max(seconds, default=0.0) * 1000, 1),
        "statuses": sorted({r.status or r.error for r in bad}, key=str),
    }


# New connections, 10 s timeout: the load's clients arrive as the slow ones do.
load = Load(PORT, args.connections, next_request, fresh_connections=True, timeout=10).start()
stop = threading.Event()
slow = []
try:
    time.sleep(3)  # warm-up, not measured
    marks = {"before": time.monotonic()}
    time.sleep(args.phase_seconds)
    log(
        f"opening {args.slow_clients} slow connections (headers every {HEADER_INTERVAL:g} s, "
        f"bodies a byte every {BODY_INTERVAL:g} s)"
    )
    slow = [SlowClient(number, stop, token) for number in range(args.slow_clients)]
    for client in slow:
        client.start()
    time.sleep(2)  # every slow client has started trickling
    marks["during"] = time.monotonic()
    time.sleep(args.phase_seconds)
    marks["during_end"] = time.monotonic()
    open_at_end = sum(client.still_open() for client in slow)
    stop.set()
    for client in slow:
        client.close()
    log("slow connections closed")
    time.sleep(1)
    marks["after"] = time.monotonic()
    time.sleep(args.phase_seconds)
    marks["after_end"] = time.monotonic()
finally:
    stop.set()
    for client in slow:
        client.close()
    load.stop()
    server.stop()

results = load.snapshot()


def started_between(start, end):
    # By start time, so a request that timed out (10 s) counts where it was sent.
    return [r for r in results if start <= r.started < end]


before = phase_stats(started_between(marks["before"], marks["before"] + args.phase_seconds))
during = phase_stats(started_between(marks["during"], marks["during_end"]))
after = phase_stats(started_between(marks["after"], marks["after_end"]))
for name, stats in (("before", before), ("during", during), ("after", after)):
    log(f"{name:>6}: {stats}")

calm_p50 = statistics.mean([before["p50_ms"], after["p50_ms"]])
calm_p95 = statistics.mean([before["p95_ms"], after["p95_ms"]])
checks.check(
    "no errors or non-200 answers while slow clients are connected",
    during["errors"] == 0 and during["requests"] > 0,
    f"{during['requests']} requests, {during['errors']} bad {during['statuses']}",
)
checks.check(
    "median latency unchanged within noise",
    during["p50_ms"] <= 1.5 * calm_p50 + 25,
    f"{during['p50_ms']} ms during vs {calm_p50:.1f} ms calm",
)
checks.check(
    "95th percentile latency unchanged within noise",
    during["p95_ms"] <= 2 * calm_p95 + 50,
    f"{during['p95_ms']} ms during vs {calm_p95:.1f} ms calm",
)
checks.check(
    "throughput held",
    during["requests"] >= 0.5 * min(before["requests"], after["requests"]),
    f"{during['requests']} during vs {before['requests']} before, {after['requests']} after",
)
checks.check(
    "the slow connections were held open, not cut off",
    open_at_end >= 0.9 * len(slow),
    f"{open_at_end} of {len(slow)} still open at the end",
)
checks.finish()
