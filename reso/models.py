from django.db import models


class EntityEvent(models.Model):
    """One create, change or delete of a served record, in the order they happened.

    Rows are written only by the database rule ``entity_events``
    (``properties/database_rules/``, triggers on every served table), so every
    write path — API, admin, bulk
    actions, imports, raw SQL — leaves one. The id is the rising
    ``EntityEventSequence`` a replicating consumer resumes from.
    """

    resource_name = models.CharField(max_length=32)
    resource_record_key = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["resource_name", "resource_record_key"], name="entityevent_record_idx"
            )
        ]

    def __str__(self):
        return f"{self.id}: {self.resource_name}('{self.resource_record_key}')"


class Lookup(models.Model):
    """One DD lookup value Hearth serves (RESO's Lookup resource, for string enumerations).

    A copy of the lookups declared in ``reso.resources``, rewritten after every
    ``migrate`` by ``reso.lookups.lookups_sync`` so the Lookup resource can be
    queried like any other; nothing else writes it.
    """

    lookup_key = models.CharField(max_length=255, unique=True)
    lookup_name = models.CharField(max_length=64)
    lookup_value = models.CharField(max_length=255)
    standard_lookup_value = models.CharField(max_length=255)
    legacy_odata_value = models.CharField(max_length=255)
    modified_at = models.DateTimeField()

    class Meta:
        ordering = ["lookup_name", "lookup_value"]

    def __str__(self):
        return self.lookup_key
