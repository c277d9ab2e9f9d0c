"""How django-axes counts failed password logins and answers a locked-out caller.

Every password login goes through ``django.contrib.auth.authenticate`` (the
token and JWT endpoints, ``/api-auth/login/``, ``/admin/login/``), which is
where django-axes counts failures, per address and per account
(settings.AXES_LOCKOUT_PARAMETERS). These are its hooks.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from rest_framework.exceptions import Throttled

from users.lookalikes import skeleton

LOCKED_OUT_MESSAGE = (
    "Too many failed sign-in attempts for this account or from this address; "
    "try again later, or ask staff to unlock it."
)


def lockout_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def login_username(request, credentials) -> str | None:
    """The account a login attempt is counted against (``AXES_USERNAME_CALLABLE``).

    Counted under its look-alike key, so ``Admin``, ``ADMIN`` and a Cyrillic
    ``аdmin`` spend one account's attempts, not one each.
    """
    username = (credentials or {}).get("username")
    if username is None:
        data = getattr(request, "data", None) or request.POST
        username = data.get("username") if hasattr(data, "get") else None
    if username is None:
        return None
    return skeleton(str(username))[:255]


class LoginLockedOut(Throttled):
    default_detail = LOCKED_OUT_MESSAGE
    default_code = "login_locked_out"

    def __init__(self):
        super().__init__(wait=lockout_seconds(), detail=LOCKED_OUT_MESSAGE)


class LoginLockoutMixin:
    """For the API's password logins: a locked-out caller gets 429 with ``Retry-After``.

    django-axes marks the request it saw; under DRF that is the ``Request``
    wrapper, not the Django request its middleware looks at, so the view answers.
    """

    def handle_exception(self, exc):
        if getattr(self.request, "axes_locked_out", False):
            exc = LoginLockedOut()
        return super().handle_exception(exc)


def lockout_response(request, original_response=None, credentials=None):
    """The answer to a locked-out HTML login (``AXES_LOCKOUT_CALLABLE``): 429, with a page."""
    headers = {"Retry-After": str(lockout_seconds())}
    if not request.path.startswith(("/admin/", "/api-auth/")):
        return JsonResponse({"detail": LOCKED_OUT_MESSAGE}, status=429, headers=headers)
    response = render(
        request,
        "registration/locked_out.html",
        {
            "message": LOCKED_OUT_MESSAGE,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "minutes": max(1, lockout_seconds() // 60),
        },
        status=429,
    )
    for name, value in headers.items():
        response[name] = value
    return response
