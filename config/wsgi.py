"""WSGI entry point, served by gunicorn (see gunicorn.conf.py) and by `runserver`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# With no broker, background jobs (MLS syncs and their schedule) run in this process.
from jobs.runner import runner_start  # noqa: E402  (needs Django set up)

runner_start()
