"""Print, as JSON, the SQL Hearth runs for each benchmarked request (for pgbench and the docs).

Run with the benchmark's environment (production settings, DATABASE_URL set):
    .venv/bin/python bench/capture_list_sql.py '/api/properties/' '/api/properties/?page=2'
Each request goes through the real URL conf, middleware and view with Django's
test client as an anonymous caller; the queries come from CaptureQueriesContext.
"""

import json
import os
import sys

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def capture(paths):
    client = Client(HTTP_HOST="127.0.0.1")
    captured = {}
    for path in paths:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, HTTP_ACCEPT="application/json")
        captured[path] = {
            "status": response.status_code,
            "queries": [query["sql"] for query in queries.captured_queries],
        }
    return captured


if __name__ == "__main__":
    json.dump(capture(sys.argv[1:]), sys.stdout, indent=2)
    print()
