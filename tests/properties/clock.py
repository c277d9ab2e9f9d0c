"""The earliest time a database-stamped change timestamp can carry, for tests to compare with."""

from django.db import connection
from django.utils import timezone


def stamp_floor():
    """A time no change timestamp the database writes from now on can be earlier than.

    PostgreSQL's ``now()`` is the start of the transaction, and a test runs in
    one transaction from its first query, so it is the database's own clock
    that bounds the stamps; SQLite stamps the statement's time in milliseconds.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT now()")
            return cursor.fetchone()[0]
    now = timezone.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)
