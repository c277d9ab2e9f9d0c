"""The ceiling for a Django detail: ``bench/ceiling/app.py`` against the reference's detail.

Needs the database ``python -m bench.api`` seeded (``hearth_bench_api``, kept with
``--reuse-db``) and the reference's venv it installed. For each server
configuration, wrk at each connection count, the ceiling and the reference
alternating run by run, and the ratio ceiling ÷ reference (req/s):

    .venv/bin/python -m bench.ceiling [--connections 1,8,32] [--duration 10]
"""

import argparse
import os

from bench.api import log
from bench.api.database import pick_detail_id
from bench.api.load import wrk
from bench.api.servers import REFERENCE, REFERENCE_VENV, ensure_reference_venv
from bench.production import Gunicorn, Server

CONFIGURATIONS = {
    # What gunicorn.conf.py serves: uvicorn workers, Django's ASGI handler.
    "asgi": {},
    # uvicorn workers, Django's WSGI handler run in a thread pool (a2wsgi).
    "a2wsgi": {"BENCH_CEILING_INTERFACE": "a2wsgi"},
    # The earlier set-up: gunicorn's gthread workers, Django's WSGI handler.
    "gthread": {"BENCH_CEILING_INTERFACE": "wsgi", "GUNICORN_WORKER_CLASS": "gthread"},
}


def main():
    parser = argparse.ArgumentParser(prog="python -m bench.ceiling", description=__doc__)
    parser.add_argument("--admin-url", default="postgres://root@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="hearth_bench_api")
    parser.add_argument("--connections", default="1,8,32")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--port", type=int, default=18150)
    parser.add_argument("--reference-port", type=int, default=18250)
    parser.add_argument("--configurations", default=",".join(CONFIGURATIONS))
    args = parser.parse_args()
    database_url = args.admin_url.rsplit("/", 1)[0] + "/" + args.database
    path = f"/api/properties/{pick_detail_id(args, database_url)}/"

    ensure_reference_venv()
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "GUNICORN_"))}
    reference = Server(
        "reference",
        [str(REFERENCE_VENV / "bin" / "uvicorn"), "app:app", "--port", str(args.reference_port)]
        + ["--workers", str(os.cpu_count() or 2), "--loop", "uvloop", "--http", "httptools"]
        + ["--no-access-log", "--log-level", "warning"],
        {**base_env, "DATABASE_URL": database_url.replace("postgres://", "postgresql+asyncpg://")},
        args.reference_port,
        REFERENCE,
        ready_path=path,
    )
    started = [reference.start()]
    try:
        for name in args.configurations.split(","):
            env = {
                **base_env,
                "DATABASE_URL": database_url,
                "HEARTH_APP": "bench.ceiling.app",
                "GUNICORN_LOG_LEVEL": "warning",
                **CONFIGURATIONS[name],
            }
            ceiling = Gunicorn(f"ceiling-{name}", args.port, env, ready_path=path)
            started.append(ceiling.start())
            for server in (ceiling, reference):
                wrk(server.port, path, 8, 2)  # warm-up, not recorded
            for c in map(int, args.connections.split(",")):
                runs = {
                    server.name: wrk(server.port, path, c, args.duration)
                    for server in (ceiling, reference)
                }
                ratio = runs[ceiling.name]["rps"] / runs["reference"]["rps"]
                log(
                    f"{ceiling.name} c={c}: "
                    + ", ".join(
                        f"{n} {r['rps']:,.0f} req/s (p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms)"
                        for n, r in runs.items()
                    )
                    + f"; ceiling ÷ reference {ratio:.2f} (load {os.getloadavg()[0]:.2f})"
                )
            ceiling.stop()
            started.remove(ceiling)
    finally:
        for server in started:
            server.stop()


if __name__ == "__main__":
    main()
