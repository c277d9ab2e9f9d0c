"""Project-wide middleware."""

from django.conf import settings
from django.http import JsonResponse


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
