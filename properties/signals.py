"""Storage clean-up for photos (``config.files``).

A photo row disappears through many paths: ``services.photo_delete``, the
admin inline, and cascades when a listing is erased; its image can be
replaced in the admin. Only model signals see them all, so the file is
removed there, after commit; it is storage housekeeping, not domain logic.
"""

from config.files import delete_files_after_commit
from properties.models import PropertyPhoto

delete_files_after_commit(PropertyPhoto, "image")
