"""Print EXPLAIN ANALYZE for the SQL of typical listing requests (see docs/query-plans.md).

Run with:
    DATABASE_URL=... DJANGO_DEBUG=true .venv/bin/python manage.py shell < docs/explain_listings.py
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

CASES = {
    "list": {},
    "filtered": {
        "status": "active",
        "property_type": "residential",
        "price_min": 200000,
        "price_max": 600000,
        "ordering": "-price",
    },
    "deep": {"page": 2000},
    "near": {"near": "30.27,-97.74", "radius_km": 5},
    "search": {"search": "gazebo orchard"},
    "city": {"city": "austin", "bedrooms_min": 3},
    "location": {"location": "9876 map"},
}
PLAN_WORDS = ("Scan", "Sort", "Limit", "Execution", "Aggregate", "Index", "Filter:")

client = APIClient()
for name, params in CASES.items():
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/properties/", params, HTTP_HOST="localhost")
    print("=====", name, response.status_code, len(captured.captured_queries), "queries")
    for query in captured.captured_queries:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + query["sql"])
            plan = [row[0] for row in cursor.fetchall()]
        print("  SQL:", query["sql"][:150].replace("\n", " "), "...")
        for line in plan:
            if any(word in line for word in PLAN_WORDS):
                print("   ", line[:160])
