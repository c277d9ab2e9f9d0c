"""Revoke a user's credentials whenever their password changes, by any path.

A signal, against the house preference for explicit service calls, because a
password changes through many doors we do not own: the admin's password form,
``manage.py changepassword``, ``set_password()`` + ``save()`` in a shell or a
data migration, Django's password-reset views. Each of them saves the user, so
``post_save`` is the one place every path passes. (A queryset ``update()`` of
the password column bypasses it; JWTs are still refused then, through
simplejwt's ``CHECK_REVOKE_TOKEN`` password claim.)
"""

from django.db.models.signals import post_init, post_save
from django.dispatch import receiver

from config.files import delete_files_after_commit
from users.models import User
from users.services import user_tokens_revoke

# A replaced, cleared or deleted user's avatar leaves storage after commit.
delete_files_after_commit(User, "avatar")


@receiver(post_init, sender=User)
def remember_password_hash(sender, instance, **kwargs):
    # Read from __dict__: with .only()/.defer() the password is not loaded, and
    # touching the attribute would cost a query per user loaded.
    instance._loaded_password_hash = instance.__dict__.get("password")


@receiver(post_save, sender=User)
def revoke_tokens_on_password_change(sender, instance, created, **kwargs):
    current = instance.__dict__.get("password")
    loaded = instance._loaded_password_hash
    # set_password() leaves the raw password in _password until save() has
    # called the password_changed hooks; it also covers a user loaded with the
    # password deferred, whose old hash was never seen.
    changed = (loaded is not None and current != loaded) or instance._password is not None
    if not created and changed:
        user_tokens_revoke(user=instance)
    instance._loaded_password_hash = current
