"""config.asgi.application, what gunicorn serves: whole requests, then Django in one thread."""

import asyncio
import json
import threading

import pytest

from config.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


def call(scope, chunks):
    """The response (status, headers, body) to one request whose body arrives in ``chunks``."""
    sent = []

    async def exchange():
        pending = list(chunks)

        async def receive():
            if pending:
                chunk = pending.pop(0)
                return {"type": "http.request", "body": chunk, "more_body": bool(pending)}
            await asyncio.sleep(3600)  # the client waits for its answer

        async def send(message):
            sent.append(message)

        await application(scope, receive, send)

    # A loop of its own, in a thread of its own, as a uvicorn worker runs it.
    thread = threading.Thread(target=asyncio.run, args=(exchange(),))
    thread.start()
    thread.join(timeout=30)
    start, *bodies = sent
    headers = {name.decode(): value.decode() for name, value in start["headers"]}
    return start["status"], headers, b"".join(body.get("body", b"") for body in bodies)


def scope(method, path, headers=()):
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


def test_a_listing_is_served_with_its_etag_and_request_id(settings):
    from properties.factories import PropertyFactory

    listing = PropertyFactory(status="active")

    status, headers, body = call(scope("GET", f"/api/properties/{listing.pk}/"), [b""])

    assert status == 200
    assert json.loads(body)["id"] == listing.pk
    assert headers["etag"].startswith('"')
    assert headers["x-request-id"]
    assert headers["x-content-type-options"] == "nosniff"


def test_a_chunked_json_body_is_read_whole_by_the_view():
    # Sent without Content-Length, in two chunks: the view still reads every field.
    payload = json.dumps({"username": "chunky"}).encode()

    status, _, body = call(
        scope(
            "POST",
            "/api/auth/register/",
            [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
        ),
        [payload[:7], payload[7:]],
    )

    assert status == 400
    errors = json.loads(body)
    assert "username" not in errors  # it arrived
    assert set(errors) >= {"email", "password"}
