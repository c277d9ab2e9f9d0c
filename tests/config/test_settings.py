"""Production settings hold no per-process state and protect the database."""

PG = "postgres://app@db.internal:5432/hearth"


def test_with_redis_the_cache_and_throttles_are_shared_and_fail_open(production_setting):
    cache = production_setting("settings.CACHES['default']", REDIS_URL="redis://cache:6379/0")

    assert cache["BACKEND"] == "config.cache.FailOpenRedisCache"
    assert cache["LOCATION"] == "redis://cache:6379/0"
    assert cache["OPTIONS"] == {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


def test_sessions_live_in_the_database(production_setting):
    assert production_setting("settings.SESSION_ENGINE") == "django.contrib.sessions.backends.db"


def test_postgres_gets_pool_statement_and_connect_timeouts(production_setting):
    database = production_setting("settings.DATABASES['default']", DATABASE_URL=PG)

    assert database["OPTIONS"]["pool"]["timeout"] == 3.0
    assert database["OPTIONS"]["options"] == "-c statement_timeout=15000"
    assert database["OPTIONS"]["connect_timeout"] == 3
    assert database["CONN_HEALTH_CHECKS"] is True


def test_statement_timeout_zero_disables_it(production_setting):
    options = production_setting(
        "settings.DATABASES['default']['OPTIONS']",
        DATABASE_URL=PG,
        DATABASE_STATEMENT_TIMEOUT_MS="0",
    )

    assert "options" not in options


def test_a_replica_url_adds_the_alias_and_the_router(production_setting):
    replica, routers = production_setting(
        "[settings.DATABASES['replica'], settings.DATABASE_ROUTERS]",
        DATABASE_URL=PG,
        DATABASE_REPLICA_URL="postgres://app@replica.internal:5432/hearth",
    )

    assert replica["HOST"] == "replica.internal"
    assert replica["OPTIONS"]["options"] == "-c statement_timeout=15000"
    assert routers == ["config.db_router.ReadReplicaRouter"]


def test_without_a_replica_there_is_no_router(production_setting):
    assert production_setting("settings.DATABASE_ROUTERS", DATABASE_URL=PG) == []
