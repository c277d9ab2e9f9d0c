"""What is requested: the timed endpoints, the pages only compared, and the HTTP fetch."""

import http.client

# Requests the correctness check and the query count send with this Host, so
# both servers build the same absolute URLs.
CHECK_HOST = "127.0.0.1"

ENDPOINTS = {
    # name: (path template, served by the reference too)
    "list": ("/api/properties/", True),
    "filtered": (
        "/api/properties/?status=active&property_type=residential"
        "&price_min=300000&price_max=700000&ordering=-price",
        True,
    ),
    "deep_page": ("/api/properties/?page=2000", True),
    "detail": ("/api/properties/{detail_id}/", True),
    "near": ("/api/properties/?near=30.2672,-97.7431&radius_km=5", False),
    "market_stats": ("/api/market-stats/?status=sold&property_type=residential", False),
}
# Extra pages compared (not timed): the pagination links and the last page.
CHECK_ONLY = {
    "page_2": "/api/properties/?page=2",
    "filtered_page_3": "/api/properties/?ordering=price&property_type=land,commercial&page=3",
    "page_size_100": "/api/properties/?page_size=100&page=7",
}


def fetch(port, path, connection=None):
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": CHECK_HOST, "Accept": "application/json"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if connection is None:
            conn.close()
