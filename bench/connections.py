"""5,000 keep-alive connections (issue 18): Hearth against the reference, detail and list.

wrk opens every connection at once and keeps it for the run (``--duration``,
20 s by default); Hearth with its response cache off and the reference alternate
endpoint by endpoint, then Hearth with the cache on. Printed per run: req/s,
p50, p99, and errors (non-2xx answers plus socket errors: connect, read,
write, timeout). Needs the database ``python -m bench.api`` seeded
(``hearth_bench_api``) and a descriptor limit above the connections
(``ulimit -n``); every server runs as ``make bench`` runs it.

    .venv/bin/python bench/connections.py [--connections 5000] [--duration 20]
"""

import argparse
import os
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api import log  # noqa: E402
from bench.api.database import pick_detail_id  # noqa: E402
from bench.api.load import wrk  # noqa: E402
from bench.api.servers import start_hearth, start_servers  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--admin-url", default="postgres://root@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="hearth_bench_api")
    parser.add_argument("--connections", type=int, default=5000)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--port", type=int, default=18160)
    parser.add_argument("--reference-port", type=int, default=18260)
    args = parser.parse_args()
    args.reference_workers, args.no_reference, args.hearth_env = os.cpu_count() or 2, False, []
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < args.connections + 100:
        parser.error(f"the descriptor limit ({soft}) is below --connections: raise ulimit -n")
    database_url = args.admin_url.rsplit("/", 1)[0] + "/" + args.database
    paths = {"detail": f"/api/properties/{pick_detail_id(args, database_url)}/"}
    paths["list"] = "/api/properties/"

    def run(server, endpoint):
        result = wrk(server.port, paths[endpoint], args.connections, args.duration)
        log(
            f"{endpoint} {server.name} c={args.connections}: {result['rps']:,.0f} req/s, "
            f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, "
            f"errors {result['non_2xx']} of {result['requests']:,}"
        )
        return result

    started = []
    try:
        hearth, reference = start_servers(args, database_url, started)
        results = {}
        for endpoint in paths:
            for server in (hearth, reference):
                wrk(server.port, paths[endpoint], 8, 2)  # warm-up, not recorded
                results[endpoint, server.name] = run(server, endpoint)
            ratio = results[endpoint, "hearth"]["rps"] / results[endpoint, "reference"]["rps"]
            log(f"{endpoint}: Hearth ÷ reference {ratio:.2f} (cache off)")
        hearth.stop()
        started.remove(hearth)
        cached = start_hearth(
            args, database_url, started, name="hearth_cached", response_cache=True
        )
        for endpoint in paths:
            wrk(cached.port, paths[endpoint], 8, 2)
            result = run(cached, endpoint)
            ratio = result["rps"] / results[endpoint, "reference"]["rps"]
            log(f"{endpoint}: Hearth cached ÷ reference {ratio:.2f}")
    finally:
        for server in started:
            server.stop()


if __name__ == "__main__":
    main()
