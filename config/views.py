"""Project-level views: health probes and error pages.

Under ``/api/`` every error is JSON, including the ones Django itself answers
(unknown URLs, uncaught exceptions, bad hosts); elsewhere (the admin) Django's
HTML pages stay.
"""

import functools
import sys

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.cache import cache_control, never_cache

from config.exceptions import (
    DATABASE_UNAVAILABLE,
    DATABASE_UNAVAILABLE_DETAIL,
    RETRY_AFTER_SECONDS,
)

FAVICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<path d="M8 1 1 7h2v8h4v-5h2v5h4V7h2z" fill="#b35c1e"/></svg>'
)


@cache_control(max_age=86400, public=True)
def favicon(request):
    """Browsers ask for /favicon.ico on every page; answer it instead of logging a 404."""
    return HttpResponse(FAVICON_SVG, content_type="image/svg+xml")


def landing(request):
    """``/``: what Hearth is, and links to the API, its documentation and the admin."""
    return render(request, "landing.html")


REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
REDOC_CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
REDOC_LOGO = "hearth/redoc-logo.svg"


@functools.cache
def _redoc_bundle() -> bytes:
    # ReDoc's sidebar footer always loads its logo from Redocly's CDN, which the
    # CSP refuses (a console error) and which is out of reach offline; the same
    # bundle, pointing at a copy of the logo among our own static files.
    with open(finders.find(REDOC_BUNDLE), "rb") as bundle:
        source = bundle.read()
    if REDOC_CDN_LOGO.encode() not in source:
        raise RuntimeError(f"{REDOC_BUNDLE} no longer loads {REDOC_CDN_LOGO}; update this view.")
    return source.replace(REDOC_CDN_LOGO.encode(), static(REDOC_LOGO).encode())


@cache_control(max_age=86400, public=True)
def redoc_bundle(request):
    """drf-spectacular-sidecar's ReDoc bundle, served with no request to a CDN."""
    return HttpResponse(_redoc_bundle(), content_type="text/javascript; charset=utf-8")


@never_cache
def healthz(request):
    """The process is up; says nothing about its dependencies."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    """200 when the database (and Redis, when configured) answer; else 503 naming what failed."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any driver or pool error means not ready
        checks["database"] = f"unavailable: {exc.__class__.__name__}"
    if settings.REDIS_URL:
        try:
            # The fail-open cache hides an outage from callers; ask Redis directly.
            if hasattr(cache, "probe"):
                cache.probe()
            cache.set("readyz", "ok", timeout=5)
            checks["cache"] = (
                "ok" if cache.get("readyz") == "ok" else "unavailable: read back failed"
            )
        except Exception as exc:
            checks["cache"] = f"unavailable: {exc.__class__.__name__}"
    failed = sorted(name for name, state in checks.items() if state != "ok")
    if failed:
        return JsonResponse(
            {"status": "unavailable", "failed": failed, "checks": checks}, status=503
        )
    return JsonResponse({"status": "ok", "checks": checks})


def _is_api(request):
    return request.path.startswith("/api/") or request.path.startswith("/api-auth/")


def bad_request(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if _is_api(request):
        return JsonResponse(
            {"detail": "You do not have permission to perform this action."}, status=403
        )
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    # Called while Django handles the uncaught exception, so it is still at
    # hand: a database outage outside DRF's views (admin, middleware) is 503 too.
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        response = JsonResponse({"detail": DATABASE_UNAVAILABLE_DETAIL}, status=503)
        response["Retry-After"] = RETRY_AFTER_SECONDS
        return response
    if _is_api(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
