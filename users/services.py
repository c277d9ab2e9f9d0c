"""Writes that create or change accounts; the API, admin and commands call these."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from users.models import User


def user_register(
    *, username: str, email: str, password: str, first_name: str = "", last_name: str = ""
) -> User:
    """Create a client account after Django's password validators accept the password.

    Validating and hashing (deliberately slow) happen before anything is
    written, outside a transaction: on SQLite a write transaction holds the
    database's one write lock from its start, and every other writer waits.
    """
    user = User(
        username=username,
        email=User.objects.normalize_email(email),
        first_name=first_name,
        last_name=last_name,
        role=User.Role.CLIENT,
    )
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Two sign-ups raced for the same (or a look-alike) name: the database's
        # constraints let one win; the other gets the answer full_clean() would give.
        from users.validators import email_problem, username_problem

        problems = {
            "username": username_problem(username),
            "email": email_problem(user.email),
        }
        raise ValidationError(
            {field: [message] for field, message in problems.items() if message}
            or {"username": ["A user with that username already exists."]}
        ) from None
    return user


def user_tokens_revoke(*, user: User) -> int:
    """Delete the user's API tokens and outdate every JWT issued so far. Returns tokens deleted."""
    from rest_framework.authtoken.models import Token

    deleted, _ = Token.objects.filter(user=user).delete()
    # One UPDATE with F(): two password changes at once still both count.
    User.objects.filter(pk=user.pk).update(token_version=F("token_version") + 1)
    user.refresh_from_db(fields=["token_version"])
    return deleted


def user_api_token_issue(*, user: User):
    """The user's API token: the current one while it is valid, else a new one."""
    from rest_framework.authtoken.models import Token

    from users.authentication import api_token_expired

    with transaction.atomic():
        token, created = Token.objects.select_for_update().get_or_create(user=user)
        if not created and api_token_expired(token):
            token.delete()
            token = Token.objects.create(user=user)
    return token


def user_logout(*, user: User, api_token=None, refresh=None) -> None:
    """Revoke the credential the caller used (an API token) and ``refresh`` if given.

    A JWT access token cannot be recalled: it lives JWT_ACCESS_MINUTES. The
    refresh token that would renew it is blacklisted (simplejwt's token_blacklist).
    """
    from rest_framework.authtoken.models import Token

    if isinstance(api_token, Token):
        Token.objects.filter(pk=api_token.pk, user=user).delete()
    if refresh is not None:
        refresh.blacklist()


def user_logins_unlock(*, user: User) -> int:
    """Forget the failed logins counted against ``user``'s account; returns records removed."""
    from axes.utils import reset

    from users.lookalikes import skeleton

    # Failures are counted under the look-alike key (users.lockout.login_username).
    return reset(username=skeleton(user.username))
