"""Writes that create or change accounts; the API, admin and commands call these."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from users.models import User


def user_register(
    *, username: str, email: str, password: str, first_name: str = "", last_name: str = ""
) -> User:
    """Create a client account after Django's password validators accept the password."""
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
    """Delete the user's API tokens; JWTs die by their password claim. Returns tokens deleted."""
    from rest_framework.authtoken.models import Token

    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


def user_logins_unlock(*, user: User) -> int:
    """Forget the failed logins counted against ``user``'s account; returns records removed."""
    from axes.utils import reset

    from users.lookalikes import skeleton

    # Failures are counted under the look-alike key (users.lockout.login_username).
    return reset(username=skeleton(user.username))
