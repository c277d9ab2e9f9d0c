"""Read-replica routing: read-only requests read from ``replica``, everything else from ``default``.

``config.middleware.ReadReplicaMiddleware`` marks a GET, HEAD or OPTIONS
request as one that may read from the replica. Outside such a request
(management commands, the shell, writes) every query goes to the primary. The
first write in a request pins the rest of it to the primary, so a read after a
write in the same request sees that write despite replication lag.
"""

from contextvars import ContextVar

REPLICA = "replica"
PRIMARY = "default"

# True while serving a read-only request that has not written anything.
replica_allowed: ContextVar[bool] = ContextVar("replica_allowed", default=False)


class ReadReplicaRouter:
    """Send reads to the replica when the current request allows it; writes to the primary."""

    def db_for_read(self, model, **hints):
        return REPLICA if replica_allowed.get() else PRIMARY

    def db_for_write(self, model, **hints):
        replica_allowed.set(False)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases are the same database, one of them a copy of the other.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica receives the primary's schema through replication.
        return db == PRIMARY
