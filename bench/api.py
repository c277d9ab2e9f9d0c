"""Read-API benchmark: Hearth under gunicorn against a FastAPI reference, and the pgbench floor.

`make bench-api` runs it; `make bench-api BENCH_API_ARGS="--help"` lists the options.
Steps (bench/README.md has the rules, bench/RESULTS.md the figures):

1. a PostgreSQL database (``hearth_bench_api``, dropped and recreated unless
   ``--reuse-db``), migrated, seeded with ``seed_demo`` (100,000 listings),
   photos for some listings, ``VACUUM ANALYZE``;
2. Hearth with gunicorn.conf.py and production settings (browsable API off,
   throttles out of reach) and the reference (bench/reference/) with uvicorn;
3. the same URLs fetched from both: the bodies must be byte-for-byte equal;
4. queries per request, from PostgreSQL's own statistics (pg_stat_database);
5. wrk at 1, 8, 32, 64 connections per endpoint, Hearth and the reference
   alternately; req/s, p50, p99, non-2xx, server RSS;
6. pgbench replaying the SQL Hearth runs for the list endpoint (the floor).

Everything listens on 127.0.0.1 only; every load run is bounded by --duration.
"""

import argparse
import difflib
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
OUT = BENCH / "out"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
REFERENCE = BENCH / "reference"
REFERENCE_VENV = REFERENCE / ".venv"
WRK_LUA = BENCH / "wrk_report.lua"
# Requests the correctness check and the query count send with this Host, so
# both servers build the same absolute URLs.
CHECK_HOST = "127.0.0.1"

ENDPOINTS = {
    # name: (path template, served by the reference too)
    "list": ("/api/properties/", True),
    "filtered": (
        "/api/properties/?status=active&property_type=residential"
        "&price_min=300000&price_max=700000&ordering=-price",
        True,
    ),
    "deep_page": ("/api/properties/?page=2000", True),
    "detail": ("/api/properties/{detail_id}/", True),
    "near": ("/api/properties/?near=30.2672,-97.7431&radius_km=5", False),
    "market_stats": ("/api/market-stats/?status=sold&property_type=residential", False),
}
# Extra pages compared (not timed): the pagination links and the last page.
CHECK_ONLY = {
    "page_2": "/api/properties/?page=2",
    "filtered_page_3": "/api/properties/?ordering=price&property_type=land,commercial&page=3",
    "page_size_100": "/api/properties/?page_size=100&page=7",
}


def log(message):
    print(f"[{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.2f}] {message}", flush=True)


def psql(admin_url, sql, *, database_url=None):
    url = database_url or admin_url
    result = subprocess.run(
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-Atqc", sql], capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"psql failed: {sql}\n{result.stderr}")
    return result.stdout.strip()


def app_env(database_url, **overrides):
    """Production settings, as a deployment has them, pointed at the benchmark database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "GUNICORN_", "THROTTLE_"))
    }
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",  # noqa: S106
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_BROWSABLE_API="false",
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=database_url,
        # Out of reach, yet still checked on every request. Per second, not per
        # minute: DRF keeps one timestamp per request within the period in a
        # pickled cache entry, so a per-minute rate that one address never
        # reaches grows that list to tens of thousands of entries, a cost no
        # production client (120/min) ever causes.
        THROTTLE_ANON="1000000/s",
        THROTTLE_USER="1000000/s",
    )
    env.update({key: str(value) for key, value in overrides.items()})
    return env


def manage(env, *args):
    started = time.monotonic()
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout, time.monotonic() - started


def prepare_database(args, database_url):
    name = args.database
    # The name was checked in main() (hearth_bench*, letters, digits and _ only).
    exists = psql(args.admin_url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'")  # noqa: S608
    if args.reuse_db and exists:
        log(f"reusing database {name}")
        return {"reused": True}
    psql(args.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(args.admin_url, f'CREATE DATABASE "{name}"')
    env = app_env(database_url, DATABASE_STATEMENT_TIMEOUT_MS=0)
    manage(env, "migrate", "--no-input")
    log(f"seeding {args.listings} listings")
    output, seconds = manage(
        env,
        "seed_demo",
        "--listings",
        str(args.listings),
        "--agents",
        str(args.agents),
        "--seed",
        str(args.seed),
    )
    log(output.strip().splitlines()[-1] if output.strip() else "seeded")
    # seed_demo makes no photos; one listing in five gets one to three, so the
    # primary_photo and photo_count columns carry real work and real values.
    psql(
        args.admin_url,
        """
        INSERT INTO properties_propertyphoto
            (property_id, image, caption, position, width, height, created_at)
        SELECT p.id, 'photos/' || p.id || '/' || md5(p.id::text || n) || '.jpg', '',
               n, 1600, 1067, p.created_at
        FROM properties_property p, generate_series(0, 2) AS n
        WHERE p.id % 5 = 0 AND n <= p.id % 3
        """,
        database_url=database_url,
    )
    psql(args.admin_url, "VACUUM ANALYZE", database_url=database_url)
    return {"reused": False, "seed_seconds": round(seconds, 1)}


def database_facts(args, database_url):
    def one(sql):
        return psql(args.admin_url, sql, database_url=database_url)

    return {
        "listings": int(one("SELECT count(*) FROM properties_property")),
        "visible_listings": int(
            one(
                "SELECT count(*) FROM properties_property "
                "WHERE status IN ('coming_soon','active','pending','sold')"
            )
        ),
        "photos": int(one("SELECT count(*) FROM properties_propertyphoto")),
        "agents": int(one("SELECT count(*) FROM users_user WHERE role = 'agent'")),
        "postgresql": one("SHOW server_version"),
    }


def pick_detail_id(args, database_url):
    """An active listing with an agent and photos: every part of the shape is exercised."""
    return int(
        psql(
            args.admin_url,
            "SELECT p.id FROM properties_property p WHERE p.status = 'active' "
            "AND p.listing_agent_id IS NOT NULL AND EXISTS (SELECT 1 FROM "
            "properties_propertyphoto f WHERE f.property_id = p.id) ORDER BY p.id LIMIT 1 "
            "OFFSET 500",
            database_url=database_url,
        )
    )


class Server:
    """A server process in the background, its log under bench/out/."""

    def __init__(self, name, command, env, port, cwd):
        self.name, self.command, self.env, self.port, self.cwd = name, command, env, port, cwd
        self.process = None

    def start(self):
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self):
        self.log_file = open(OUT / f"{self.name}.log", "w")  # noqa: SIM115  (closed in stop())
        self.process = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {OUT / (self.name + '.log')}")
            try:
                status, _ = fetch(self.port, "/api/properties/?page_size=1")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer; see {OUT / (self.name + '.log')}")

    def pids(self):
        """The server process and every descendant (gunicorn or uvicorn workers)."""
        found, queue = [], [self.process.pid]
        while queue:
            pid = queue.pop()
            found.append(pid)
            children = Path(f"/proc/{pid}/task/{pid}/children")
            try:
                queue.extend(int(child) for child in children.read_text().split())
            except (FileNotFoundError, ProcessLookupError):
                pass
        return found

    def rss_mb(self):
        total = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except (FileNotFoundError, ProcessLookupError):
                pass
        return round(total / 1024, 1)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process:
            self.log_file.close()


def fetch(port, path, connection=None):
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": CHECK_HOST, "Accept": "application/json"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if connection is None:
            conn.close()


def check_identical(hearth, reference, paths):
    """Fail loudly, with a diff, unless both servers answer every path with the same bytes."""
    failures = []
    for name, path in paths.items():
        status_a, body_a = fetch(hearth.port, path)
        status_b, body_b = fetch(reference.port, path)
        if status_a != 200:
            failures.append(f"{name}: Hearth answered {status_a} for {path}: {body_a[:300]!r}")
            continue
        if (status_a, body_a) == (status_b, body_b):
            log(f"identical: {name} ({len(body_a):,} bytes) {path}")
            continue
        pretty_a = json.dumps(json.loads(body_a), indent=1, ensure_ascii=False).splitlines()
        try:
            pretty_b = json.dumps(json.loads(body_b), indent=1, ensure_ascii=False).splitlines()
        except ValueError:
            pretty_b = body_b.decode(errors="replace").splitlines()
        diff = list(
            difflib.unified_diff(pretty_a, pretty_b, "hearth", "reference", lineterm="", n=2)
        )
        first = next(
            (i for i, (a, b) in enumerate(zip(body_a, body_b, strict=False)) if a != b),
            min(len(body_a), len(body_b)),
        )
        failures.append(
            f"{name}: {path} differs (status {status_a} vs {status_b}; first differing byte "
            f"{first}: {body_a[first - 20 : first + 40]!r} vs {body_b[first - 20 : first + 40]!r})"
            + ("\n" + "\n".join(diff[:80]) if diff else "")
        )
    if failures:
        print("\nOUTPUTS DIFFER — nothing was measured:\n", file=sys.stderr)
        print("\n\n".join(failures), file=sys.stderr)
        raise SystemExit(1)


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


def wrk(port, path, connections, duration):
    threads = max(1, min(connections, 2))
    result = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "30s",
            "-s",
            str(WRK_LUA),
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        timeout=duration + 60,
    )
    match = re.search(r"^WRK_JSON (.*)$", result.stdout, re.MULTILINE)
    if result.returncode or not match:
        raise RuntimeError(f"wrk failed:\n{result.stdout}\n{result.stderr}")
    report = json.loads(match.group(1))
    return {
        "requests": report["requests"],
        "rps": round(report["requests"] / (report["duration_us"] / 1e6), 1),
        "p50_ms": round(report["p50_us"] / 1000, 2),
        "p99_ms": round(report["p99_us"] / 1000, 2),
        "max_ms": round(report["max_us"] / 1000, 2),
        "non_2xx": report["non_2xx"] + report["socket_errors"],
    }


def pgbench_floor(args, database_url, sql, connections, duration):
    """pgbench replaying ``sql`` (one list request's statements) as one transaction each."""
    script = tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False)  # noqa: SIM115
    with script:
        for statement in sql:
            script.write(" ".join(statement.split()) + ";\n")
    results = {}
    for clients in connections:
        result = subprocess.run(
            [
                "pgbench",
                "-n",
                "-M",
                "simple",
                "-f",
                script.name,
                "-c",
                str(clients),
                "-j",
                str(min(clients, 2)),
                "-T",
                str(duration),
                "-r",
                database_url,
            ],
            capture_output=True,
            text=True,
            timeout=duration + 60,
        )
        match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", result.stdout)
        latency = re.search(r"latency average = ([\d.]+) ms", result.stdout)
        if not match:
            raise RuntimeError(f"pgbench failed:\n{result.stdout}\n{result.stderr}")
        results[clients] = {
            "tps": float(match.group(1)),
            "latency_ms": float(latency.group(1)) if latency else None,
            "load": round(os.getloadavg()[0], 2),
        }
        log(f"pgbench list SQL, {clients} clients: {float(match.group(1)):,.0f} requests' SQL/s")
    os.unlink(script.name)
    return results


def capture_sql(database_url, paths):
    result = subprocess.run(
        [PYTHON, str(BENCH / "capture_list_sql.py"), *paths],
        cwd=ROOT,
        env=app_env(database_url),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(f"capturing SQL failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout)


def ensure_reference_venv():
    python = REFERENCE_VENV / "bin" / "python"
    marker = REFERENCE_VENV / ".installed"
    requirements = REFERENCE / "requirements.txt"
    if marker.exists() and marker.stat().st_mtime >= requirements.stat().st_mtime:
        return
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(REFERENCE_VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-r", str(requirements)], check=True
    )
    marker.touch()


def start_servers(args, database_url, started):
    """Start Hearth and (unless --no-reference) the reference; each is appended to ``started``."""
    hearth_env = app_env(
        database_url,
        GUNICORN_BIND=f"127.0.0.1:{args.port}",
        GUNICORN_LOG_LEVEL="warning",
        **dict(pair.split("=", 1) for pair in args.hearth_env),
    )
    hearth = Server(
        "hearth",
        [str(GUNICORN), "config.wsgi", "--config", "gunicorn.conf.py"],
        hearth_env,
        args.port,
        ROOT,
    )
    started.append(hearth)
    hearth.start()
    reference = None
    if not args.no_reference:
        ensure_reference_venv()
        reference_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")},
            "DATABASE_URL": database_url.replace("postgres://", "postgresql+asyncpg://", 1),
        }
        reference = Server(
            "reference",
            [
                str(REFERENCE_VENV / "bin" / "uvicorn"),
                "app:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(args.reference_port),
                "--workers",
                str(args.reference_workers),
                "--loop",
                "uvloop",
                "--http",
                "httptools",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            reference_env,
            args.reference_port,
            REFERENCE,
        )
        started.append(reference)
        reference.start()
    return hearth, reference


def table(results, connections):
    lines = []
    header = (
        f"{'endpoint':<13}{'server':<10}{'conns':>6}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'non-2xx':>8}{'RSS MB':>8}{'load':>6}"
    )
    lines += [header, "-" * len(header)]
    for name, entry in results["endpoints"].items():
        for server in ("hearth", "reference"):
            runs = entry.get(server, {}).get("runs")
            if not runs:
                continue
            for c in connections:
                run = runs[str(c)]
                lines.append(
                    f"{name:<13}{server:<10}{c:>6}{run['rps']:>10,.0f}{run['p50_ms']:>9.2f}"
                    f"{run['p99_ms']:>9.2f}{run['non_2xx']:>8}{run['rss_mb']:>8.0f}"
                    f"{run['load']:>6.2f}"
                )
    lines.append("")
    lines.append(
        f"{'endpoint':<13}{'queries/req hearth':>20}{'reference':>11}"
        + "".join(f"{'H÷R @' + str(c):>10}" for c in connections)
    )
    for name, entry in results["endpoints"].items():
        q_h = (entry.get("hearth", {}).get("per_request") or {}).get("queries", "")
        q_r = (entry.get("reference", {}).get("per_request") or {}).get("queries", "")
        ratios = "".join(
            f"{entry['ratio'][str(c)]:>10.2f}" if "ratio" in entry else f"{'':>10}"
            for c in connections
        )
        lines.append(f"{name:<13}{q_h!s:>20}{q_r!s:>11}{ratios}")
    floor = results.get("pgbench_floor")
    if floor:
        lines.append("")
        lines.append("pgbench floor, list SQL (count + page) as one transaction per request:")
        for c, row in floor["runs"].items():
            fraction = floor["hearth_fraction"].get(c)
            lines.append(
                f"  {c:>3} clients: {row['tps']:>8,.0f}/s"
                + (f"   Hearth list {fraction:.0%} of it" if fraction is not None else "")
            )
    return "\n".join(lines)


def markdown(results):
    """The run as Markdown tables, for bench/RESULTS.md."""
    connections = results["settings"]["connections"]
    lines = [
        "| endpoint | server | queries/req (transactions · listing scans · all scans) | "
        + " | ".join(f"c={c}: req/s · p50 · p99 ms" for c in connections)
        + " | non-2xx | RSS MB |",
        "|---|---|---|" + "---|" * len(connections) + "---|---|",
    ]
    for name, entry in results["endpoints"].items():
        for server in ("hearth", "reference"):
            if server not in entry:
                continue
            per = entry[server].get("per_request") or {}
            counted = " · ".join(
                str(per[key]) for key in ("queries", "listing_scans", "table_scans") if key in per
            )
            runs = entry[server]["runs"]
            cells = " | ".join(
                f"{runs[str(c)]['rps']:,.0f} · {runs[str(c)]['p50_ms']:.1f} · "
                f"{runs[str(c)]['p99_ms']:.1f}"
                for c in connections
            )
            non_2xx = sum(runs[str(c)]["non_2xx"] for c in connections)
            rss = max(runs[str(c)]["rss_mb"] for c in connections)
            lines.append(f"| {name} | {server} | {counted} | {cells} | {non_2xx} | {rss:.0f} |")
    ratios = [
        f"| {name} | " + " | ".join(f"{entry['ratio'][str(c)]:.2f}" for c in connections) + " |"
        for name, entry in results["endpoints"].items()
        if "ratio" in entry
    ]
    if ratios:
        lines += [
            "",
            "| Hearth ÷ reference (req/s) | " + " | ".join(f"c={c}" for c in connections) + " |",
            "|---|" + "---|" * len(connections),
            *ratios,
        ]
    floor = results.get("pgbench_floor")
    if floor:
        lines += [
            "",
            "| pgbench, list SQL | " + " | ".join(f"c={c}" for c in connections) + " |",
            "|---|" + "---|" * len(connections),
            "| requests' SQL/s | "
            + " | ".join(f"{floor['runs'][str(c)]['tps']:,.0f}" for c in connections)
            + " |",
            "| Hearth list ÷ floor | "
            + " | ".join(f"{floor['hearth_fraction'][str(c)]:.0%}" for c in connections)
            + " |",
        ]
    loads = [
        run["load"]
        for entry in results["endpoints"].values()
        for server in ("hearth", "reference")
        if server in entry
        for run in entry[server]["runs"].values()
    ]
    lines += ["", f"Load average during the runs: {min(loads):.2f}–{max(loads):.2f}."]
    return "\n".join(lines)


def main():
    # Stopped by TERM or INT (even when started in the background, where INT is
    # ignored), the `finally` below still stops the servers it started.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, frame: sys.exit(128 + number))
    if len(sys.argv) == 3 and sys.argv[1] == "--markdown":
        print(markdown(json.loads(Path(sys.argv[2]).read_text())))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
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
    if args.database.replace("_", "").isalnum() is False or not args.database.startswith(
        "hearth_bench"
    ):
        parser.error("--database must be a name starting with hearth_bench")
    for tool in ("wrk", "psql") + (() if args.no_pgbench else ("pgbench",)):
        if not shutil.which(tool):
            parser.error(f"{tool} is not installed (apt-get install -y wrk postgresql-client)")
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
            for server in servers:
                entry[server.name] = {"per_request": counted.get((name, server.name)), "runs": {}}
                wrk(server.port, path, 8, 2)  # warm-up, not recorded
            for c in connections:
                # Alternate the servers run by run, so drift in the machine's
                # load falls on both.
                for server in servers:
                    load = os.getloadavg()[0]
                    run = wrk(server.port, path, c, args.duration)
                    run["rss_mb"] = server.rss_mb()
                    run["load"] = round(max(load, os.getloadavg()[0]), 2)
                    entry[server.name]["runs"][str(c)] = run
                    log(
                        f"{name} {server.name} c={c}: {run['rps']:,.0f} req/s, p50 "
                        f"{run['p50_ms']} ms, p99 {run['p99_ms']} ms, non-2xx {run['non_2xx']}, "
                        f"RSS {run['rss_mb']} MB"
                    )
            if len(servers) == 2:
                entry["ratio"] = {
                    str(c): round(
                        entry["hearth"]["runs"][str(c)]["rps"]
                        / entry["reference"]["runs"][str(c)]["rps"],
                        2,
                    )
                    for c in connections
                }
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
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    path = OUT / f"bench-api-{stamp}{'-' + args.label if args.label else ''}.json"
    path.write_text(json.dumps(results, indent=2))
    print()
    print(table(results, connections))
    print(f"\nJSON: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
