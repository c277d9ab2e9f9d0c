"""API authentication classes: expiring API tokens and JWTs that die with the password.

JWTs used to carry simplejwt's ``hash_password`` claim (an MD5 of the password
hash), which put password-derived material in every token a client stores and
logs. They now carry ``ver``, the account's token version, a plain counter
that a password change increments (users.services.user_tokens_revoke).
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt import exceptions as jwt_exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.tokens import RefreshToken

TOKEN_VERSION_CLAIM = "ver"  # noqa: S105  (a claim name, not a secret)


def token_version_matches(payload: dict, user) -> bool:
    # A token without the claim was minted before versions existed (or by
    # simplejwt's own class): it is as good as version 0, an account whose
    # password never changed since.
    return payload.get(TOKEN_VERSION_CLAIM, 0) == user.token_version


class PasswordChanged(jwt_exceptions.AuthenticationFailed):
    """401 ``{"detail", "code": "password_changed"}``, the shape of simplejwt's own errors."""

    def __init__(self):
        super().__init__("The user's password has been changed; sign in again.", "password_changed")


class VersionedRefreshToken(RefreshToken):
    """A refresh token (and the access tokens made from it) stamped with the token version."""

    @classmethod
    def for_user(cls, user):
        token = super().for_user(user)
        token[TOKEN_VERSION_CLAIM] = user.token_version
        return token


class VersionedJWTAuthentication(JWTAuthentication):
    """simplejwt's Bearer authentication, refusing tokens from before a password change."""

    def get_user(self, validated_token):
        user = super().get_user(validated_token)
        if not token_version_matches(validated_token.payload, user):
            raise PasswordChanged()
        return user


def api_token_expired(token) -> bool:
    ttl = settings.API_TOKEN_TTL
    return bool(ttl) and token.created + timedelta(seconds=ttl) <= timezone.now()


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's ``Authorization: Token``; a token older than API_TOKEN_TTL is refused."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if api_token_expired(token):
            token.delete()
            raise AuthenticationFailed(
                "The token has expired; sign in again.", code="token_expired"
            )
        return user, token
