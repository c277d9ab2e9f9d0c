"""ASGI entry point: what gunicorn serves, through the uvicorn worker (gunicorn.conf.py).

Requests are received whole by the event loop before they reach Django
(``config.buffering``), so slow clients never hold one of its threads. Django
then handles each one with its WSGI handler, wholly in one thread of a pool
(a2wsgi): the request crosses from the event loop to a thread once. Django's
ASGI handler would cross five times (request signals, the sync middleware
chain, the async-capable django-axes middleware, the sync view, the response's
close) and start a thread per request; serving a listing with nothing else,
it answered 1,021 req/s where the WSGI handler under a2wsgi answered 1,731
(``python -m bench.ceiling``, bench/RESULTS.md). Hearth has no async views,
so nothing is lost.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from a2wsgi import WSGIMiddleware  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import get_resolver  # noqa: E402

from config.buffering import BufferedRequestMiddleware  # noqa: E402

# As with gthread workers, GUNICORN_THREADS threads per process run Django, matching
# the database pool, so a request never waits for a connection its process could have.
THREADS = int(os.environ.get("GUNICORN_THREADS", "4"))

django_application = WSGIMiddleware(get_wsgi_application(), workers=THREADS)

# A worker's first request would import every view, serializer and filter through
# the URLconf (0.3 s), and gunicorn replaces each worker after GUNICORN_MAX_REQUESTS:
# under steady load that pause was the p99 (250 ms against 5 ms with no
# replacement). The worker imports them as it boots, before it accepts anyone.
get_resolver().url_patterns  # noqa: B018 (evaluated for its imports)
application = BufferedRequestMiddleware(
    django_application,
    max_body_bytes=settings.MAX_REQUEST_BODY_SIZE,
    concurrency=THREADS,
)
