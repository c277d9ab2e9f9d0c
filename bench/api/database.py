"""The benchmark database: created, migrated, seeded and analysed; facts about it."""

import subprocess
import time

from bench.api import PYTHON, ROOT, log
from bench.api.servers import hearth_env

PHOTOS_SQL = """
INSERT INTO properties_propertyphoto
    (property_id, image, caption, position, width, height, created_at)
SELECT p.id, 'photos/' || p.id || '/' || md5(p.id::text || n) || '.jpg', '', n, 1600, 1067,
       p.created_at
FROM properties_property p, generate_series(0, 3) AS n
WHERE p.id % 3 = 0 AND n <= p.id % 4
  AND NOT EXISTS (SELECT 1 FROM properties_propertyphoto f WHERE f.property_id = p.id)
"""


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


def prepare_database(args, database_url):
    name = args.database
    # The name was checked in main() (a benchmark's name, letters, digits and _ only).
    exists = psql(args.admin_url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'")  # noqa: S608
    if args.reuse_db and exists:
        log(f"reusing database {name}")
        return {"reused": True}
    psql(args.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(args.admin_url, f'CREATE DATABASE "{name}"')
    env = hearth_env(database_url, DATABASE_STATEMENT_TIMEOUT_MS=0)
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
    # seed_demo makes no photos; one listing in three gets one to four, so the
    # primary_photo and photo_count columns carry real work and real values.
    psql(args.admin_url, PHOTOS_SQL, database_url=database_url)
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
