from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _lookups_sync(sender, using, **kwargs):
    # After every migrate (and flush), the Lookup table is the lookups the fields declare.
    from django.db import connections

    from reso import lookups
    from reso.models import Lookup

    # A migrate to an earlier target may not have created the table yet.
    if Lookup._meta.db_table in connections[using].introspection.table_names():
        lookups.lookups_sync(using=using)


class ResoConfig(AppConfig):
    """The RESO Web API: an OData 4 service over the Data Dictionary 2.0 mapping.

    Its EntityEvent rows are written by the database rule ``entity_events``
    (``properties/database_rules/``), like every rule that must hold for all writes.
    """

    name = "reso"
    verbose_name = "RESO Web API"

    def ready(self):
        post_migrate.connect(_lookups_sync, sender=self, dispatch_uid="reso_lookups_sync")
