"""Writes that create or change accounts; the API, admin and commands call these."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

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
    user.save()
    return user


def user_tokens_revoke(*, user: User) -> int:
    """Delete the user's API tokens; JWTs die by their password claim. Returns tokens deleted."""
    from rest_framework.authtoken.models import Token

    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted
