"""Project-wide middleware."""

import logging
import re
import time
import uuid

from django.conf import settings
from django.http import JsonResponse
from django.utils.functional import SimpleLazyObject, empty

from config.db_router import replica_allowed
from config.log import request_id_var

request_logger = logging.getLogger("hearth.request")

# An incoming id is echoed into logs and headers, so only short plain tokens are
# believed; anything else (spaces, quotes, newlines, 200 characters) is replaced.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,64}")
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _user_id(request):
    """The authenticated user's id, without triggering a session lookup just to log it."""
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        if user._wrapped is empty:
            return None
        user = user._wrapped
    return getattr(user, "pk", None)


class RequestLogMiddleware:
    """Give each request an id (from ``X-Request-ID`` or new), echo it, and log the request.

    The id is in the response's ``X-Request-ID`` header and in every log record
    written while the request is served, so one request can be followed from a
    load balancer's log to the application's.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if REQUEST_ID_PATTERN.fullmatch(incoming) else uuid.uuid4().hex
        request.id = request_id
        token = request_id_var.set(request_id)
        started = time.monotonic()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                status,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "user_id": _user_id(request),
                },
            )
            request_id_var.reset(token)


class ReadReplicaMiddleware:
    """Let a read-only API request read from the replica (see ``config.db_router``).

    Only under ``/api/``: the admin shows a page right after saving it (and
    checks edit conflicts against what it read), where replication lag would
    show staff stale data.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = replica_allowed.set(
            request.method in READ_ONLY_METHODS and request.path.startswith("/api/")
        )
        try:
            return self.get_response(request)
        finally:
            replica_allowed.reset(token)


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body exceeds ``MAX_REQUEST_BODY_SIZE`` with 413.

    Django only limits bodies it reads into memory itself; DRF's parsers read
    the stream directly, so the limit is enforced here before anything is read.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": "Invalid Content-Length header."}, status=400)
        limit = settings.MAX_REQUEST_BODY_SIZE
        if length > limit:
            return JsonResponse(
                {"detail": f"Request body too large: {length} bytes, the limit is {limit} bytes."},
                status=413,
            )
        return self.get_response(request)
