"""OData's error shape, ``{"error": {"code", "message"}}``, for every failure answered."""

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from reso.query import QueryError


def odata_error(status_code: int, message: str, code: str | None = None, headers=None):
    body = {"error": {"code": code or str(status_code), "message": message}}
    return Response(body, status=status_code, headers=headers or {})


def odata_exception_handler(exc, context):
    """DRF's handler's decisions (status, headers), in OData's error shape."""
    if isinstance(exc, QueryError):
        return odata_error(status.HTTP_400_BAD_REQUEST, str(exc), "BadRequest")
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = (
        response.data.get("detail", response.data)
        if isinstance(response.data, dict)
        else response.data
    )
    codes = {
        400: "BadRequest",
        401: "Unauthorized",
        403: "Forbidden",
        404: "NotFound",
        405: "MethodNotAllowed",
        429: "TooManyRequests",
    }
    response.data = {
        "error": {
            "code": codes.get(response.status_code, str(response.status_code)),
            "message": str(detail),
        }
    }
    return response
