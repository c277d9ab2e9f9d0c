"""One JSON error shape for the whole API."""

import logging

from botocore.exceptions import BotoCoreError
from botocore.exceptions import ClientError as StorageClientError
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)


# Operational errors are the database being unreachable, restarting, out of
# pool connections or cancelling a query past the statement timeout: the
# client may retry, so they are 503, never 500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
DATABASE_UNAVAILABLE_DETAIL = "The database is unavailable or overloaded; try again shortly."
RETRY_AFTER_SECONDS = "5"
# Object storage (AWS_STORAGE_BUCKET_NAME) unreachable or refusing: the upload's
# transaction rolls back, nothing is stored, and the client may retry.
STORAGE_UNAVAILABLE = (BotoCoreError, StorageClientError)
STORAGE_UNAVAILABLE_DETAIL = "File storage is unavailable; try the upload again shortly."


def api_exception_handler(exc, context):
    """DRF's handler, plus Django exceptions that would otherwise become 500s.

    Model and service validation raises Django's ``ValidationError``; it is
    shaped the way a serializer error would be, keyed by field.
    """
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DATABASE_UNAVAILABLE):
        logger.error("database unavailable: %r", exc)
        return Response(
            {"detail": DATABASE_UNAVAILABLE_DETAIL},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )
    elif isinstance(exc, STORAGE_UNAVAILABLE):
        logger.error("file storage unavailable: %r", exc)
        return Response(
            {"detail": STORAGE_UNAVAILABLE_DETAIL},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )
    elif isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": "Request body too large."}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
        )
    return exception_handler(exc, context)
