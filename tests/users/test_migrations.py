"""Migration users/0002 keys existing users without refusing a database that has look-alikes."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from users.models import User

BEFORE, AFTER = "0002_avatar_random_name", "0003_username_lookalikes"


@pytest.mark.django_db(transaction=True)
def test_existing_users_are_keyed_and_earlier_lookalikes_are_kept():
    executor = MigrationExecutor(connection)
    try:
        # Given users, two of them look-alikes, from before the rule
        executor.migrate([("users", BEFORE)])
        old_user = executor.loader.project_state([("users", BEFORE)]).apps.get_model(
            "users", "User"
        )
        first = old_user.objects.create(username="admin", email="a@example.com", password="x")
        lookalike = old_user.objects.create(
            username="\u0430dmin", email="b@example.com", password="x"
        )
        plain = old_user.objects.create(username="Dana", email="d@example.com", password="x")

        # When the migration runs
        executor.loader.build_graph()
        executor.migrate([("users", AFTER)])

        # Then each has its key; the later look-alike keeps a key of its own
        keys = dict(User.objects.values_list("pk", "username_skeleton"))
        assert keys == {
            first.pk: "admin",
            lookalike.pk: f"admin#{lookalike.pk}",
            plain.pk: "dana",
        }
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
