"""Hearth's Celery application: `celery -A config worker` and `celery -A config beat`.

Settings come from Django's (``CELERY_*``). With ``CELERY_BROKER_URL`` unset,
nothing here is used at run time: ``jobs.runner`` runs the same tasks inside
the web process (see ``jobs.services.job_enqueue``).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("hearth")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
