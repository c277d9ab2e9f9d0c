"""Storage clean-up for photos.

A photo row disappears through many paths: ``services.photo_delete``, the
admin inline, and cascades when its listing is deleted (API, admin, bulk
actions, a plain queryset ``delete()``). Only ``post_delete`` sees them all, so
the file is removed here; it is storage housekeeping, not domain logic.
"""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from properties.models import PropertyPhoto


@receiver(post_delete, sender=PropertyPhoto, dispatch_uid="photo_file_delete")
def photo_file_delete(sender, instance, using, **kwargs):
    """Remove the photo's file once the deletion commits; a rollback keeps both."""
    name, storage = instance.image.name, instance.image.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name), using=using)
