"""Rules a username or email must pass to be taken; serializers and services share them."""

from django.db.models.functions import Lower

from users.lookalikes import lookalike_domain, mixes_lookalike_scripts, skeleton
from users.models import LOOKALIKE_USERNAME_MESSAGE, MIXED_SCRIPT_USERNAME_MESSAGE, User

USERNAME_TAKEN_MESSAGE = "A user with that username already exists."
EMAIL_TAKEN_MESSAGE = "A user with that email address already exists."


def username_problem(username: str, *, exclude_pk=None) -> str | None:
    """Why ``username`` cannot be taken (case-insensitive duplicate, look-alike), or None."""
    others = User.objects.exclude(pk=exclude_pk) if exclude_pk else User.objects.all()
    if others.annotate(lower=Lower("username")).filter(lower=username.lower()).exists():
        return USERNAME_TAKEN_MESSAGE
    if mixes_lookalike_scripts(username):
        return MIXED_SCRIPT_USERNAME_MESSAGE
    if others.filter(username_skeleton=skeleton(username)).exists():
        return LOOKALIKE_USERNAME_MESSAGE
    return None


def email_problem(email: str, *, exclude_pk=None) -> str | None:
    """Why ``email`` cannot be taken (case-insensitive duplicate, look-alike domain), or None."""
    others = User.objects.exclude(pk=exclude_pk) if exclude_pk else User.objects.all()
    if others.filter(email__iexact=email).exists():
        return EMAIL_TAKEN_MESSAGE
    if lookalike_domain(email):
        return (
            "This email's domain has letters from another alphabet that look like Latin ones; "
            "write the domain in its xn-- (ASCII) form."
        )
    return None
