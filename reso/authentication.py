"""Who may read the OData service: OAuth2 client credentials or Hearth's JWT access tokens."""

from django.contrib.auth.models import AnonymousUser
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle


class ClientCredentialsAuthentication(OAuth2Authentication):
    """django-oauth-toolkit's bearer tokens; a client-credentials token reads as the public."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        # A client-credentials token belongs to an application, not a person.
        return (user or AnonymousUser(), token)


class HasAccessToken(BasePermission):
    """Any valid bearer token (an API client's or a signed-in user's); never anonymous."""

    def has_permission(self, request, view):
        return request.auth is not None


class ResoRateThrottle(SimpleRateThrottle):
    """THROTTLE_RESO per API client or user: replication reads many pages in a row."""

    scope = "reso"

    def get_cache_key(self, request, view):
        application_id = getattr(request.auth, "application_id", None)
        if application_id is not None and not request.user.is_authenticated:
            ident = f"client{application_id}"
        elif request.user.is_authenticated:
            ident = f"user{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
