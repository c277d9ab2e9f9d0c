"""The command line: options, then the steps of a run in order (bench/api/__init__.py)."""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import bench.api
from bench.api import OUT, ROOT, log
from bench.api.cached import measure_cached
from bench.api.correctness import check_identical
from bench.api.database import database_facts, pick_detail_id, prepare_database
from bench.api.endpoints import CHECK_ONLY, ENDPOINTS
from bench.api.load import measure, pgbench_floor
from bench.api.queries import capture_sql, count_queries
from bench.api.report import markdown, print_table, write_json
from bench.api.servers import start_servers


def parse_args():
    parser = argparse.ArgumentParser(
        prog="python -m bench.api", description=bench.api.__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("BENCH_ADMIN_URL", "postgres://root@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--database", default="hearth_bench_api")
    parser.add_argument("--reuse-db", action="store_true", help="Keep an existing database.")
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=int, default=10, help="Seconds per wrk run.")
    parser.add_argument("--connections", default="1,8,32,64")
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS))
    parser.add_argument("--port", type=int, default=18100)
    parser.add_argument("--reference-port", type=int, default=18200)
    parser.add_argument("--reference-workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--no-pgbench", action="store_true")
    parser.add_argument(
        "--cached",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="After the headline rows, Hearth again with API_RESPONSE_CACHE=true: list, "
        "market_stats and a conditional-GET list, reported as separate rows (default: on).",
    )
    parser.add_argument(
        "--count-requests",
        type=int,
        default=200,
        help="Requests per endpoint for the queries-per-request reading.",
    )
    parser.add_argument(
        "--hearth-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="Extra environment for Hearth (e.g. GUNICORN_THREADS=8).",
    )
    parser.add_argument("--label", default="", help="Stored in the JSON (e.g. a change's name).")
    args = parser.parse_args()
    # It is dropped and recreated: only a name that says it is a benchmark's will do
    # (hearth_bench..., or hearth_<yours>_bench... on a server shared by several people).
    name = args.database
    if not name.replace("_", "").isalnum() or not (
        name.startswith("hearth_bench") or (name.startswith("hearth_") and "_bench" in name)
    ):
        parser.error("--database must start with hearth_bench or be hearth_<name>_bench...")
    if any(pair.startswith("API_RESPONSE_CACHE=") for pair in args.hearth_env):
        parser.error(
            "--hearth-env API_RESPONSE_CACHE: headline rows always run with the response "
            "cache off; --cached adds the caches-on rows"
        )
    for tool in ("wrk", "psql") + (() if args.no_pgbench else ("pgbench",)):
        if not shutil.which(tool):
            parser.error(f"{tool} is not installed (apt-get install -y wrk postgresql-client)")
    return args


def main():
    # Stopped by TERM or INT (even when started in the background, where INT is
    # ignored), the `finally` below still stops the servers it started.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, frame: sys.exit(128 + number))
    if len(sys.argv) == 3 and sys.argv[1] == "--markdown":
        print(markdown(json.loads(Path(sys.argv[2]).read_text())))
        return
    args = parse_args()
    connections = [int(c) for c in args.connections.split(",")]
    names = [n for n in args.endpoints.split(",") if n]
    OUT.mkdir(exist_ok=True)
    admin = args.admin_url.rsplit("/", 1)[0]
    database_url = f"{admin}/{args.database}"

    results = {
        "label": args.label,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "git": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        "machine": {"cpus": os.cpu_count(), "load_at_start": os.getloadavg()},
        "settings": {
            "duration_s": args.duration,
            "connections": connections,
            "hearth_env": args.hearth_env,
        },
    }
    results["database"] = prepare_database(args, database_url)
    results["database"].update(database_facts(args, database_url))
    detail_id = pick_detail_id(args, database_url)
    paths = {name: ENDPOINTS[name][0].format(detail_id=detail_id) for name in names}
    results["paths"] = paths
    log(f"data: {results['database']}")

    running = []
    try:
        hearth, reference = start_servers(args, database_url, running)
        compared = {n: p for n, p in paths.items() if ENDPOINTS[n][1]}
        if reference:
            check_identical(hearth, reference, {**compared, **CHECK_ONLY})
        captured = capture_sql(database_url, list(paths.values()))
        results["django_queries"] = {
            name: len(captured[path]["queries"]) for name, path in paths.items()
        }
        results["list_sql"] = captured[paths["list"]]["queries"] if "list" in paths else None

        counted = {}
        if args.count_requests:
            counted = count_queries(
                args,
                database_url,
                {
                    (name, server.name): (server, path)
                    for name, path in paths.items()
                    for server in (hearth, reference)
                    if server and (server is hearth or ENDPOINTS[name][1])
                },
            )
        results["endpoints"] = {}
        for name, path in paths.items():
            entry = results["endpoints"][name] = {"path": path}
            servers = [hearth] + ([reference] if reference and ENDPOINTS[name][1] else [])
            runs = measure(name, path, servers, connections, args.duration)
            for server in servers:
                entry[server.name] = {
                    "per_request": counted.get((name, server.name)),
                    "runs": runs[server.name],
                }
            if len(servers) == 2:
                entry["ratio"] = {
                    str(c): round(
                        entry["hearth"]["runs"][str(c)]["rps"]
                        / entry["reference"]["runs"][str(c)]["rps"],
                        2,
                    )
                    for c in connections
                }
        if args.cached:
            hearth.stop()  # the cached Hearth takes its port
            reference_runs = {
                name: entry["reference"]["runs"]
                for name, entry in results["endpoints"].items()
                if "reference" in entry
            }
            cached = measure_cached(args, database_url, paths, connections, reference_runs, running)
            if cached:
                results["cached"] = cached
    finally:
        for server in running:
            server.stop()

    if not args.no_pgbench and results.get("list_sql"):
        runs = pgbench_floor(args, database_url, results["list_sql"], connections, args.duration)
        list_runs = results["endpoints"]["list"]["hearth"]["runs"]
        results["pgbench_floor"] = {
            "runs": {str(c): row for c, row in runs.items()},
            "hearth_fraction": {
                str(c): round(list_runs[str(c)]["rps"] / runs[c]["tps"], 3) for c in connections
            },
        }

    results["machine"]["load_at_end"] = os.getloadavg()
    path = write_json(results, args.label)
    print_table(results, connections, path)
