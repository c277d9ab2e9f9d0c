"""ASGI entry point: what gunicorn serves, through the uvicorn worker (gunicorn.conf.py).

Requests are received whole by the event loop before they reach Django
(``config.buffering``), so slow clients never hold one of its threads.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

from config.buffering import BufferedRequestMiddleware  # noqa: E402

django_application = get_asgi_application()
application = BufferedRequestMiddleware(
    django_application,
    max_body_bytes=settings.MAX_REQUEST_BODY_SIZE,
    # Django's sync code runs a thread per request in flight; as with gthread
    # workers, GUNICORN_THREADS of them per process, matching the database pool.
    concurrency=int(os.environ.get("GUNICORN_THREADS", "4")),
)
