"""gunicorn's worker for Hearth: uvicorn running config.asgi (see gunicorn.conf.py)."""

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn_worker import UvicornWorker

# How long an idle keep-alive connection stays open once its worker is retiring.
DRAIN_SECONDS = 1.0


class DrainingHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's HTTP protocol, retiring idle keep-alive connections without a race.

    On a graceful shutdown (gunicorn's HUP reload or TERM) uvicorn closes every
    idle keep-alive connection at once. A client that sent its next request in
    that instant gets a connection reset for a request the server never read:
    a failed request in every reload under load. Here an idle connection stays
    open for ``DRAIN_SECONDS``; a request arriving meanwhile is answered, with
    ``Connection: close``, and the connection closes after it. Clients see a
    clean close between two requests, which every HTTP client handles.
    """

    draining = False

    def shutdown(self) -> None:
        self.draining = True
        self.loop.call_later(DRAIN_SECONDS, self._drain_close)
        if self.cycle is not None and not self.cycle.response_started:
            # Its answer will say ``Connection: close``, and the connection closes after it.
            self.cycle.keep_alive = False
        # An answer whose headers already went out promised keep-alive: the connection
        # stays open like an idle one, and a request arriving within DRAIN_SECONDS is
        # answered with ``Connection: close``. Closing right after that answer instead
        # reset clients that had sent their next request meanwhile.

    def _drain_close(self) -> None:
        if self.cycle is None or self.cycle.response_complete:
            self.transport.close()
        else:
            self.cycle.keep_alive = False

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        if self.draining:
            self.cycle.keep_alive = False


class HearthUvicornWorker(UvicornWorker):
    """uvicorn under gunicorn, configured as the gthread workers were.

    - ``proxy_headers`` off: the client address stays the socket's, and
      ``X-Forwarded-For`` is believed only through ``TRUSTED_PROXIES`` by the
      app (DRF's ``NUM_PROXIES``), as before; ``X-Forwarded-Proto`` likewise by
      Django's ``SECURE_PROXY_SSL_HEADER``.
    - ``lifespan`` off: Django has no start-up or shutdown events.
    - on TERM or HUP, requests in flight get ``graceful_timeout`` to finish,
      and idle keep-alive connections are drained, not cut
      (``DrainingHttpToolsProtocol``).
    """

    CONFIG_KWARGS = {
        "loop": "auto",
        "http": DrainingHttpToolsProtocol,
        "proxy_headers": False,
        "lifespan": "off",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.config.timeout_graceful_shutdown = self.cfg.graceful_timeout
