"""Storage housekeeping: an uploaded file leaves storage once no row refers to it.

A file field's file is orphaned when its row is deleted (a service, the
admin, a cascade, a queryset ``delete()``) or when the field is given a new
file or cleared (the API, the admin, a shell). ``post_delete`` and
``post_save`` see every one of those paths, so the clean-up lives here and
models opt in with ``delete_files_after_commit``. Files are deleted only
once the transaction commits: a rollback keeps the row and its file.
(A queryset ``update()`` of the column bypasses the signals and leaves the
old file behind: harmless, just unreclaimed space.)
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_init, post_save


def _stored_name(value) -> str:
    return getattr(value, "name", value) or ""


def _delete_after_commit(storage, name: str, using: str) -> None:
    transaction.on_commit(lambda: storage.delete(name), using=using)


def delete_files_after_commit(model, *field_names: str) -> None:
    """Remove the files of ``field_names`` from storage when replaced, cleared or deleted."""
    fields = [model._meta.get_field(name) for name in field_names]

    def remember(sender, instance, **kwargs):
        # Read from __dict__: a deferred field is not loaded, and touching it
        # would cost a query per row. Unknown names are never deleted.
        instance._stored_file_names = {
            field.attname: _stored_name(instance.__dict__.get(field.attname)) for field in fields
        }

    def delete_replaced(sender, instance, using, **kwargs):
        loaded = getattr(instance, "_stored_file_names", {})
        for field in fields:
            current = _stored_name(instance.__dict__.get(field.attname))
            previous = loaded.get(field.attname)
            if previous and previous != current:
                _delete_after_commit(field.storage, previous, using)
        remember(sender, instance)

    def delete_with_row(sender, instance, using, **kwargs):
        for field in fields:
            name = _stored_name(instance.__dict__.get(field.attname))
            if name:
                _delete_after_commit(field.storage, name, using)

    uid = f"files:{model._meta.label}"
    post_init.connect(remember, sender=model, weak=False, dispatch_uid=uid)
    post_save.connect(delete_replaced, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(delete_with_row, sender=model, weak=False, dispatch_uid=uid)
