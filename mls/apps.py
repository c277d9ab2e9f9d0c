from django.apps import AppConfig


class MlsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mls"
    verbose_name = "MLS sync"
