"""The least a Django request can cost: the ceiling for a listing's detail (issue 18).

A Django project in one module, with nothing Hearth adds: no middleware, no
installed apps, no DRF, no authentication, throttling, visibility rules or
ETag. Its one view fetches the listing's row with one prepared statement
(Django's own cursor and connection pool, as Hearth uses them) and answers it
as JSON. It does less than Hearth's detail must, so what it serves is an upper
bound on any Django detail served by the same worker configuration.

Served by gunicorn.conf.py exactly as Hearth is: ``gunicorn bench.ceiling.app
--config gunicorn.conf.py`` (uvicorn workers, ASGI), or with
``BENCH_CEILING_INTERFACE=wsgi`` and ``GUNICORN_WORKER_CLASS=gthread`` as the
earlier gthread workers served it. ``python -m bench.ceiling`` runs it against
the reference's detail.
"""

import json
import os

import environ
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-ceiling-only",  # noqa: S106 (a benchmark's throwaway)
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={
        "default": {
            **environ.Env.db_url_config(os.environ["DATABASE_URL"]),
            # Hearth's settings: Django's psycopg pool, one connection per thread.
            "OPTIONS": {"pool": {"min_size": 1, "max_size": 4}, "prepare_threshold": 0},
        }
    },
    USE_TZ=True,
    LOGGING_CONFIG=None,
)

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.http import Http404, HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

# Every column the detail shows lives on the listing row or its agent's.
DETAIL_SQL = (
    "SELECT p.id, p.mls_number, p.status, p.property_type, p.street_address, p.unit, "
    "p.city, p.state, p.postal_code, p.latitude::text, p.longitude::text, p.price::text, "
    "p.bedrooms, p.bathrooms::text, p.living_area, p.description, p.listed_at::text, "
    "p.created_at::text, p.updated_at::text, p.photo_total, p.primary_photo_image, "
    "u.first_name, u.last_name, u.email "
    "FROM properties_property p LEFT JOIN users_user u ON u.id = p.listing_agent_id "
    "WHERE p.id = %s AND p.status <> 'draft'"
)
COLUMNS = (
    "id mls_number status property_type street_address unit city state postal_code "
    "latitude longitude price bedrooms bathrooms living_area description listed_at "
    "created_at updated_at photo_total primary_photo agent_first_name agent_last_name "
    "agent_email"
).split()


def detail(request, pk):
    with connection.cursor() as cursor:
        cursor.execute(DETAIL_SQL, [pk])
        row = cursor.fetchone()
    if row is None:
        raise Http404
    return HttpResponse(
        json.dumps(dict(zip(COLUMNS, row, strict=True))), content_type="application/json"
    )


urlpatterns = [path("api/properties/<int:pk>/", detail)]

INTERFACE = os.environ.get("BENCH_CEILING_INTERFACE", "asgi")
if INTERFACE == "wsgi":
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
elif INTERFACE == "a2wsgi":
    # Django's WSGI handler in a thread pool under the event loop: one hop per request.
    from a2wsgi import WSGIMiddleware
    from django.core.wsgi import get_wsgi_application

    application = WSGIMiddleware(get_wsgi_application(), workers=4)
else:
    from django.core.asgi import get_asgi_application

    application = get_asgi_application()
