from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_database_rules(sender, using, **kwargs):
    # After every migrate, so a column another app's migration added is part of the
    # SQLite "changed" test and a table created later (Office, OpenHouse) gets its triggers.
    from django.db import connections

    from reso import database_rules, lookups

    database_rules.install(connections[using])
    lookups.lookups_sync(using=using)


class ResoConfig(AppConfig):
    """The RESO Web API: an OData 4 read service over Data Dictionary 2.0 names."""

    name = "reso"
    verbose_name = "RESO Web API"

    def ready(self):
        from reso import checks  # noqa: F401  (registers the system check)

        post_migrate.connect(_install_database_rules, sender=self, dispatch_uid="reso_rules")
