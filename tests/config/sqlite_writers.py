"""Concurrent writers on a file SQLite database: registrations plus a background job.

Run by tests/config/test_sqlite_concurrency.py in its own interpreter, with
production settings and ``DATABASE_URL`` naming a fresh SQLite file, because
the suite's own SQLite database lives in memory, where WAL and file locking
do not apply. Prints one
JSON line: the registration statuses and the background job's errors.
"""

import json
import sys
import threading
from collections import Counter

import django

REGISTERING_THREADS = 6
REGISTRATIONS_EACH = 3
JOB_TRANSACTIONS = 20


def main():
    django.setup()
    from django.core.management import call_command
    from django.db import OperationalError, connection, transaction
    from django.test import Client

    from properties.factories import PropertyFactory
    from properties.models import Property

    call_command("migrate", verbosity=0)
    journal_mode = connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]
    connection.close()
    statuses, job_errors, lock = Counter(), [], threading.Lock()
    start = threading.Barrier(REGISTERING_THREADS + 1)

    def register(thread):
        client = Client()
        start.wait()
        for number in range(REGISTRATIONS_EACH):
            response = client.post(
                "/api/auth/register/",
                {
                    "username": f"writer-{thread}-{number}",
                    "email": f"writer-{thread}-{number}@example.com",
                    "password": "a-long-enough-passphrase",
                },
                content_type="application/json",
            )
            with lock:
                statuses[response.status_code] += 1
        connection.close()

    def background_job():
        # What a sync or an import does: read, then write, in one transaction.
        start.wait()
        for number in range(JOB_TRANSACTIONS):
            try:
                with transaction.atomic():
                    Property.objects.filter(mls_number=f"JOB{number}").exists()
                    # No new agent: hashing its password would hold the write lock
                    # for a second, which no real job does inside its transaction.
                    PropertyFactory(mls_number=f"JOB{number}", listing_agent=None)
            except OperationalError as exc:
                job_errors.append(str(exc))
        connection.close()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(REGISTERING_THREADS)]
    threads.append(threading.Thread(target=background_job))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(
        json.dumps(
            {
                "journal_mode": journal_mode,
                "statuses": {str(code): count for code, count in statuses.items()},
                "job_errors": job_errors[:3],
                "job_error_count": len(job_errors),
                "listings": Property.objects.filter(mls_number__startswith="JOB").count(),
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
