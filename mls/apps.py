from django.apps import AppConfig


class MlsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mls"
    verbose_name = "MLS sync"

    def ready(self):
        # Registers the tasks with the Celery app in every process, the web process
        # included (its embedded runner looks them up by name).
        from mls import tasks  # noqa: F401
