"""Receive each request whole before Django sees it, and let only a few in at once.

Under gunicorn's gthread workers a thread read the request itself, so a
client trickling its headers or body held one of a worker's few threads for
as long as it liked: ten such clients stopped a server. Under the uvicorn
worker the event loop reads headers and bodies from any number of
connections at little cost, and this middleware holds every request until
its body has fully arrived; only then does it wait for one of ``concurrency``
slots (the threads Django's sync code runs in, matched to the database pool)
and enter Django. A slow client costs a socket and a buffer, never a thread.
"""

import asyncio
import json
import tempfile

CHUNK_BYTES = 64 * 1024
# Bodies up to this size wait in memory, larger ones in a temporary file.
SPOOL_BYTES = 1024 * 1024


def _declared_length(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _with_length(scope, length: int):
    headers = [(n, v) for n, v in scope.get("headers", ()) if n != b"transfer-encoding"]
    return {**scope, "headers": [*headers, (b"content-length", str(length).encode())]}


async def _refuse_too_large(send, limit: int) -> None:
    body = json.dumps({"detail": f"Request body too large: the limit is {limit} bytes."}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BufferedRequestMiddleware:
    """ASGI middleware: whole requests only, at most ``concurrency`` in the app at once."""

    def __init__(self, app, *, max_body_bytes: int, concurrency: int):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.concurrency = concurrency
        self._slots = None  # made in the worker's event loop, on first use

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            # Not read at all: Django's RequestBodyLimitMiddleware answers 413
            # from the header, with the request logged like any other.
            body = None
        else:
            body = await self._receive_body(receive, send)
            if body is False:
                return  # the client left, or the body outgrew the limit (answered)
            arrived = body.seek(0, 2)
            body.seek(0)
            if declared is None and arrived:
                # A chunked body: Django's WSGI handler reads CONTENT_LENGTH bytes, so
                # the length of what arrived is declared for it.
                scope = _with_length(scope, arrived)
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.concurrency)
        async with self._slots:
            await self.app(scope, self._replay(body, receive), send)

    async def _receive_body(self, receive, send):
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (closed by _replay)
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                spool.close()
                return False
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                # A body without a Content-Length (chunked) that outgrew the limit.
                spool.close()
                await _refuse_too_large(send, self.max_body_bytes)
                return False
            spool.write(chunk)
            if not message.get("more_body", False):
                spool.seek(0)
                return spool

    @staticmethod
    def _replay(body, receive):
        """A ``receive`` that hands the buffered body over, then waits for the disconnect.

        ``body`` None (declared too large, never read) is handed over as empty;
        Django must not wait for it, and answers 413 from the header.
        """
        done = False

        async def replay():
            nonlocal done
            if done:
                # Django listens for the client leaving; what is left of an
                # unread body is not a message it expects.
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return message
            if body is None:
                done = True
                return {"type": "http.request", "body": b"", "more_body": False}
            chunk = body.read(CHUNK_BYTES)
            more = len(chunk) == CHUNK_BYTES
            if not more:
                done = True
                body.close()
            return {"type": "http.request", "body": chunk, "more_body": more}

        return replay
