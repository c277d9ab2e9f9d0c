from django.apps import AppConfig


class PropertiesConfig(AppConfig):
    name = "properties"
    verbose_name = "Properties"

    def ready(self):
        from properties import signals  # noqa: F401  (connects the receivers)
