"""The benchmark database: created, migrated, seeded and analysed; facts about it."""

import subprocess
import time

from bench.api import PYTHON, ROOT, log
from bench.api.servers import hearth_env


def psql(admin_url, sql, *, database_url=None):
    url = database_url or admin_url
    result = subprocess.run(
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-Atqc", sql], capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"psql failed: {sql}\n{result.stderr}")
    return result.stdout.strip()


def manage(env, *args):
    started = time.monotonic()
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout, time.monotonic() - started


def seed_demo(env, *, listings, agents, seed):
    """Run ``seed_demo`` with photos; return its output and the seconds it took.

    With ``--photos`` one listing in three has one to four, so the list shape's
    primary_photo and photo_count columns carry real work and real values.
    """
    return manage(
        env,
        "seed_demo",
        "--listings",
        str(listings),
        "--agents",
        str(agents),
        "--seed",
        str(seed),
        "--photos",
    )


def prepare_database(args, database_url):
    name = args.database
    # The name was checked in main() (a benchmark's name, letters, digits and _ only).
    exists = psql(args.admin_url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'")  # noqa: S608
    if args.reuse_db and exists:
        # A database seeded at another size (--listings 1000000 after a 100k run) is not
        # the one asked for: it is seeded again.
        count = "SELECT count(*) FROM properties_property"
        held = int(psql(args.admin_url, count, database_url=database_url))
        if held == args.listings:
            log(f"reusing database {name}")
            return {"reused": True}
        log(f"{name} holds {held} listings, not {args.listings}: seeding it again")
    psql(args.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(args.admin_url, f'CREATE DATABASE "{name}"')
    env = hearth_env(database_url, DATABASE_STATEMENT_TIMEOUT_MS=0)
    manage(env, "migrate", "--no-input")
    log(f"seeding {args.listings} listings")
    output, seconds = seed_demo(env, listings=args.listings, agents=args.agents, seed=args.seed)
    log(output.strip().splitlines()[-1] if output.strip() else "seeded")
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
    # The 501st such listing at full size (the same one every run); a small
    # --listings database may have fewer, and then the first one will do.
    candidates = (
        "SELECT p.id FROM properties_property p WHERE p.status = 'active' "
        "AND p.listing_agent_id IS NOT NULL AND EXISTS (SELECT 1 FROM "
        "properties_propertyphoto f WHERE f.property_id = p.id) ORDER BY p.id LIMIT 1 "
    )
    found = psql(args.admin_url, candidates + "OFFSET 500", database_url=database_url)
    if not found:
        found = psql(args.admin_url, candidates, database_url=database_url)
    if not found:
        raise RuntimeError("no active listing with an agent and photos to use for `detail`")
    return int(found)
