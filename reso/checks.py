"""System check: the database writes EntityEvent rows (``reso.database_rules``)."""

from django.core.checks import Error, Tags, register
from django.db import DatabaseError, connection

from reso import database_rules


@register(Tags.database)
def entity_event_triggers_installed(app_configs, **kwargs):
    try:
        missing = database_rules.missing_triggers(connection)
    except DatabaseError:
        return []  # no database yet: migrate installs them
    if not missing:
        return []
    return [
        Error(
            f"EntityEvent triggers missing: {', '.join(missing)}.",
            hint="Run `manage.py migrate`, which installs them (reso.database_rules.install).",
            id="reso.E001",
        )
    ]
