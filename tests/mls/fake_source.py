"""A RESO Web API source for tests: a stdlib HTTP server speaking OData JSON pages.

It serves ``/odata/Property`` (``$filter=ModificationTimestamp gt X``, the
``or``-ed ``ListingKey eq`` checks, ``$orderby``, ``$top``, nextLink by
``$skip``), ``/odata/EntityEvent`` when ``events`` is on, and an OAuth2
client-credentials token at ``/token``. ``faults`` is a list of what the next
requests get instead of their page: ``500``, ``"stall"``, ``"garbage"``.
"""

import base64
import datetime
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

BASE = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def record(key: int, *, price=300000, minute=None, **fields) -> dict:
    stamp = BASE + datetime.timedelta(minutes=key if minute is None else minute)
    return {
        "ListingKey": str(key),
        "ListingId": f"SRC{key}",
        "StandardStatus": "Active",
        "PropertyType": "Residential",
        "ListPrice": price,
        "UnparsedAddress": f"{key} Main Street",
        "City": "Denver",
        "StateOrProvince": "CO",
        "PostalCode": "80202",
        "BedroomsTotal": 3,
        "ModificationTimestamp": stamp.isoformat().replace("+00:00", "Z"),
        **fields,
    }


class FakeSource:
    def __init__(self, records=(), *, events=False, secret=None):
        self.records = {r["ListingKey"]: r for r in records}
        self.events_on = events
        self.events: list[dict] = []
        self.secret = secret
        self.faults: list = []
        self.requests: list[str] = []
        self.tokens_issued = 0
        self.stall_seconds = 3.0
        self.page_delay = 0.0  # seconds before each page: a slow source, to kill a worker mid-run
        # An OData 4.0 source may refuse $expand (400) and serve photos as a Media resource.
        self.expands = True
        self.media_resource = True
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/odata/"

    @property
    def token_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/token"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # --- changes a test makes at the source -----------------------------------------

    def put(self, rec: dict) -> None:
        with self.lock:
            self.records[rec["ListingKey"]] = rec
            self._event(rec["ListingKey"])

    def delete(self, key: str) -> None:
        with self.lock:
            del self.records[key]
            self._event(key)

    def _event(self, key):
        self.events.append(
            {"EntityEventSequence": len(self.events) + 1, "ResourceName": "Property",
             "ResourceRecordKey": key}
        )  # fmt: skip

    # --- HTTP -----------------------------------------------------------------------

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                basic = self.headers.get("Authorization", "").removeprefix("Basic ")
                _, _, secret = base64.b64decode(basic).decode().partition(":")
                if form.get("grant_type") != ["client_credentials"] or secret != fake.secret:
                    return self._send(401, {"error": "invalid_client"})
                fake.tokens_issued += 1
                return self._send(200, {"access_token": f"tok{fake.tokens_issued}",
                                        "expires_in": 3600, "token_type": "Bearer"})  # fmt: skip

            def do_GET(self):
                fake.requests.append(self.path)
                time.sleep(fake.page_delay)
                if fake.faults:
                    fault = fake.faults.pop(0)
                    if fault == "stall":
                        time.sleep(fake.stall_seconds)
                    elif fault == "garbage":
                        return self._send(200, b"<html>oops</html>")
                    else:
                        return self._send(fault, {"error": {"message": "down"}})
                if fake.secret and not self.headers.get("Authorization", "").startswith(
                    "Bearer tok"
                ):
                    return self._send(401, {"error": {"message": "no token"}})
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                prefer = re.search(r"maxpagesize=(\d+)", self.headers.get("Prefer", ""))
                query.setdefault("size", prefer.group(1) if prefer else "100")
                if parts.path == "/odata/Property":
                    if "$expand" in query and not fake.expands:
                        return self._send(400, {"error": {"message": "$expand not supported"}})
                    return self._send(200, fake._properties(parts.path, query))
                if parts.path == "/odata/Media" and fake.media_resource:
                    return self._send(200, fake._media(parts.path, query))
                if parts.path == "/odata/EntityEvent" and fake.events_on:
                    return self._send(200, fake._events(parts.path, query))
                return self._send(404, {"error": {"message": "not found"}})

        return Handler

    def _page(self, path, query, rows):
        # $top caps the answer; the page size (the client's Prefer) splits it into pages.
        rows = rows[: int(query["$top"])] if "$top" in query else rows
        top = int(query["size"])
        skip = int(query.get("$skip", 0))
        page = {"value": rows[skip : skip + top]}
        if skip + top < len(rows):
            next_query = {k: v for k, v in query.items() if k != "size"} | {"$skip": skip + top}
            page["@odata.nextLink"] = (
                f"http://127.0.0.1:{self.server.server_port}{path}?{urlencode(next_query)}"
            )
        return page

    def _properties(self, path, query):
        with self.lock:
            rows = list(self.records.values())
        condition = query.get("$filter", "")
        if match := re.fullmatch(r"ModificationTimestamp gt (\S+)", condition):
            rows = [r for r in rows if r["ModificationTimestamp"] > match.group(1)]
        elif condition:
            keys = set(re.findall(r"ListingKey eq '([^']*)'", condition))
            rows = [r for r in rows if r["ListingKey"] in keys]
        rows.sort(key=lambda r: (r["ModificationTimestamp"], int(r["ListingKey"])))
        if query.get("$select") == "ListingKey":
            rows = [{"ListingKey": r["ListingKey"]} for r in rows]
        elif "$expand" not in query:
            # Navigation properties come only when expanded.
            rows = [{k: v for k, v in r.items() if k != "Media"} for r in rows]
        return self._page(path, query, rows)

    def _media(self, path, query):
        keys = set(re.findall(r"ResourceRecordKey eq '([^']*)'", query.get("$filter", "")))
        with self.lock:
            rows = [
                {**item, "ResourceName": "Property", "ResourceRecordKey": key}
                for key, r in sorted(self.records.items())
                if key in keys
                for item in r.get("Media", [])
            ]
        return self._page(path, query, rows)

    def _events(self, path, query):
        rows = list(self.events)
        if query.get("$orderby", "").endswith("desc"):
            rows.reverse()
        if match := re.search(r"EntityEventSequence gt (\d+)", query.get("$filter", "")):
            rows = [e for e in rows if e["EntityEventSequence"] > int(match.group(1))]
        return self._page(path, query, rows)
