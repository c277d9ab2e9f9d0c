"""Load generators: wrk against a server, pgbench replaying SQL against PostgreSQL."""

import json
import os
import re
import subprocess
import tempfile

from bench.api import BENCH, log

WRK_LUA = BENCH / "wrk_report.lua"


def wrk(port, path, connections, duration, *, if_none_match=None):
    """One wrk run; with ``if_none_match`` each request is conditional and 304 a success."""
    threads = max(1, min(connections, 2))
    conditional = ["-H", f"If-None-Match: {if_none_match}"] if if_none_match else []
    result = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "30s",
            *conditional,
            "-s",
            str(WRK_LUA),
            f"http://127.0.0.1:{port}{path}",
            # Arguments for wrk_report.lua's init(): 304 is a success only here.
            *(["--", "304-ok"] if if_none_match else []),
        ],
        capture_output=True,
        text=True,
        timeout=duration + 60,
    )
    match = re.search(r"^WRK_JSON (.*)$", result.stdout, re.MULTILINE)
    if result.returncode or not match:
        raise RuntimeError(f"wrk failed:\n{result.stdout}\n{result.stderr}")
    report = json.loads(match.group(1))
    run = {
        "requests": report["requests"],
        "rps": round(report["requests"] / (report["duration_us"] / 1e6), 1),
        "p50_ms": round(report["p50_us"] / 1000, 2),
        "p99_ms": round(report["p99_us"] / 1000, 2),
        "max_ms": round(report["max_us"] / 1000, 2),
        "non_2xx": report["non_2xx"] + report["socket_errors"],
    }
    if if_none_match:
        run["not_modified"] = report["not_modified"]
    return run


def measure(name, path, servers, connections, duration, *, if_none_match=None):
    """wrk at each connection count, the servers alternating run by run; runs by server name."""
    runs = {server.name: {} for server in servers}
    for server in servers:
        wrk(server.port, path, 8, 2, if_none_match=if_none_match)  # warm-up, not recorded
    for c in connections:
        # Alternate the servers run by run, so drift in the machine's load falls on both.
        for server in servers:
            load = os.getloadavg()[0]
            run = wrk(server.port, path, c, duration, if_none_match=if_none_match)
            run["rss_mb"] = server.rss_mb()
            run["load"] = round(max(load, os.getloadavg()[0]), 2)
            runs[server.name][str(c)] = run
            log(
                f"{name} {server.name} c={c}: {run['rps']:,.0f} req/s, p50 "
                f"{run['p50_ms']} ms, p99 {run['p99_ms']} ms, non-2xx {run['non_2xx']}, "
                f"RSS {run['rss_mb']} MB"
                + (f", 304 {run['not_modified']}" if if_none_match else "")
            )
    return runs


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
