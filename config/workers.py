"""gunicorn's worker for Hearth: uvicorn running config.asgi (see gunicorn.conf.py)."""

from uvicorn_worker import UvicornWorker


class HearthUvicornWorker(UvicornWorker):
    """uvicorn under gunicorn, configured as the gthread workers were.

    - ``proxy_headers`` off: the client address stays the socket's, and
      ``X-Forwarded-For`` is believed only through ``TRUSTED_PROXIES`` by the
      app (DRF's ``NUM_PROXIES``), as before; ``X-Forwarded-Proto`` likewise by
      Django's ``SECURE_PROXY_SSL_HEADER``.
    - ``lifespan`` off: Django has no start-up or shutdown events.
    - on TERM or HUP, requests in flight get ``graceful_timeout`` to finish.
    """

    CONFIG_KWARGS = {"loop": "auto", "http": "auto", "proxy_headers": False, "lifespan": "off"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.config.timeout_graceful_shutdown = self.cfg.graceful_timeout
