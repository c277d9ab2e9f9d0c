from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class PropertiesConfig(AppConfig):
    name = "properties"
    verbose_name = "Properties"

    def ready(self):
        from properties import database_rules, signals  # noqa: F401  (connects the receivers)

        # Once per migrate run (sender is this app), the database rules are lifted
        # on SQLite before it rebuilds tables and brought up to date after.
        pre_migrate.connect(
            database_rules.before_migrate, sender=self, dispatch_uid="database_rules_before"
        )
        post_migrate.connect(
            database_rules.after_migrate, sender=self, dispatch_uid="database_rules_after"
        )
