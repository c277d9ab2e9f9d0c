"""config.buffering: a request reaches Django only whole, and only a few at once."""

import asyncio
import threading

from config.buffering import BufferedRequestMiddleware


def run(coroutine):
    """asyncio.run in a thread of its own: the browser tests leave a loop in this one."""
    outcome = {}

    def target():
        try:
            outcome["result"] = asyncio.run(coroutine)
        except BaseException as exc:  # re-raised in the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


def http_scope(**headers):
    return {
        "type": "http",
        "method": "POST",
        "path": "/api/auth/register/",
        "headers": [
            (name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()
        ],
    }


class Trickle:
    """A client sending its body a chunk at a time, ``interval`` seconds apart."""

    def __init__(self, chunks, interval=0.0):
        self.chunks, self.interval, self.finished_at = list(chunks), interval, None

    async def receive(self):
        if self.chunks:
            await asyncio.sleep(self.interval)
            chunk = self.chunks.pop(0)
            if not self.chunks:
                self.finished_at = asyncio.get_running_loop().time()
            return {"type": "http.request", "body": chunk, "more_body": bool(self.chunks)}
        await asyncio.sleep(3600)  # the client waits for its answer


class RecordingApp:
    def __init__(self, hold=0.0):
        self.hold, self.calls, self.inside, self.most_inside = hold, [], 0, 0
        self.headers = []

    async def __call__(self, scope, receive, send):
        self.headers.append(dict(scope["headers"]))
        self.inside += 1
        self.most_inside = max(self.most_inside, self.inside)
        entered = asyncio.get_running_loop().time()
        body = b""
        while True:
            message = await receive()
            body += message["body"]
            if not message["more_body"]:
                break
        self.calls.append((entered, body))
        await asyncio.sleep(self.hold)
        self.inside -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def _noop_send(message):
    pass


def test_the_app_is_called_only_once_the_whole_body_has_arrived():
    app = RecordingApp()
    middleware = BufferedRequestMiddleware(app, max_body_bytes=1000, concurrency=4)
    client = Trickle([b"a", b"b", b"c", b"d"], interval=0.05)

    run(middleware(http_scope(content_length="4"), client.receive, _noop_send))

    ((entered, body),) = app.calls
    assert body == b"abcd"
    assert entered >= client.finished_at


def test_a_large_body_is_handed_over_whole_in_chunks():
    app = RecordingApp()
    middleware = BufferedRequestMiddleware(app, max_body_bytes=5_000_000, concurrency=4)
    content = bytes(range(256)) * 12_000  # 3 MB: spooled to a temporary file

    run(
        middleware(
            http_scope(content_length=str(len(content))), Trickle([content]).receive, _noop_send
        )
    )

    assert app.calls[0][1] == content


def test_no_more_requests_than_the_concurrency_are_in_the_app_at_once():
    app = RecordingApp(hold=0.05)
    middleware = BufferedRequestMiddleware(app, max_body_bytes=1000, concurrency=2)

    async def many():
        await asyncio.gather(
            *(
                middleware(http_scope(content_length="1"), Trickle([b"x"]).receive, _noop_send)
                for _ in range(7)
            )
        )

    run(many())

    assert (len(app.calls), app.most_inside) == (7, 2)


def test_a_client_that_leaves_mid_body_never_reaches_the_app():
    app = RecordingApp()
    middleware = BufferedRequestMiddleware(app, max_body_bytes=1000, concurrency=4)
    messages = [
        {"type": "http.request", "body": b"ab", "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive():
        return messages.pop(0)

    run(middleware(http_scope(content_length="10"), receive, _noop_send))

    assert app.calls == []


def test_a_declared_oversized_body_is_not_read_and_reaches_the_app_empty():
    # Django's RequestBodyLimitMiddleware then answers 413 from the header, logged as usual.
    app = RecordingApp()
    middleware = BufferedRequestMiddleware(app, max_body_bytes=10, concurrency=4)
    client = Trickle([b"x" * 5] * 100)

    run(middleware(http_scope(content_length="500"), client.receive, _noop_send))

    assert app.calls[0][1] == b""
    assert len(client.chunks) == 100  # not a byte read


def test_an_undeclared_body_past_the_limit_is_answered_413_without_the_app():
    app = RecordingApp()
    middleware = BufferedRequestMiddleware(app, max_body_bytes=10, concurrency=4)
    sent = []

    async def send(message):
        sent.append(message)

    run(middleware(http_scope(), Trickle([b"x" * 6] * 3).receive, send))

    assert app.calls == []
    assert sent[0]["status"] == 413
    assert sent[1]["body"] == b'{"detail": "Request body too large: the limit is 10 bytes."}'


def test_a_chunked_body_reaches_the_app_with_the_length_that_arrived():
    # Django's WSGI handler reads CONTENT_LENGTH bytes: without it, the body would be lost.
    app = RecordingApp()
    middleware = BufferedRequestMiddleware(app, max_body_bytes=1000, concurrency=4)
    scope = http_scope(transfer_encoding="chunked")

    run(middleware(scope, Trickle([b"abc", b"de"]).receive, _noop_send))

    assert app.calls[0][1] == b"abcde"
    assert app.headers[0][b"content-length"] == b"5"
    assert b"transfer-encoding" not in app.headers[0]
