from django.apps import AppConfig


class ImportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "imports"
    verbose_name = "imports"

    def ready(self):
        # Registers the tasks with the Celery app in every process, the web process
        # included (its embedded runner looks them up by name).
        from imports import tasks  # noqa: F401
