from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
import re, sys
c = APIClient()
cases = {
 "list": {},
 "filtered": {"status": "active", "property_type": "residential", "price_min": 200000, "price_max": 600000, "ordering": "-price"},
 "deep": {"page": 2000},
 "near": {"near": "30.27,-97.74", "radius_km": 5},
 "search": {"search": "gazebo orchard"}, "mls": {"search": "M00001000"},
 "city": {"city": "austin", "bedrooms_min": 3},
 "location": {"location": "oak"}, "location2": {"location": "9876 map"},
}
only = sys.argv[-1] if len(sys.argv) > 1 else None
for name, params in cases.items():
    with CaptureQueriesContext(connection) as ctx:
        r = c.get("/api/properties/", params, HTTP_HOST="localhost")
    print("=====", name, r.status_code, len(ctx.captured_queries), "queries")
    for q in ctx.captured_queries:
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + q["sql"])
            plan = [row[0] for row in cur.fetchall()]
        print("  SQL:", q["sql"][:150].replace("\n"," "), "...")
        for line in plan:
            if any(k in line for k in ("Scan", "Sort", "Limit", "Execution", "Aggregate", "Index", "Filter:")):
                print("   ", line[:160])
