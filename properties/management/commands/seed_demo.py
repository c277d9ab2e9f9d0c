import secrets

from django.conf import settings
from django.core.management.base import BaseCommand

from users.models import User

DEMO_STAFF_USERNAME = "demo-staff"


class Command(BaseCommand):
    help = "Fill the database with realistic demo data built from the test factories."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds users (what `make run` uses).",
        )

    def handle(self, *args, if_empty, **options):
        if if_empty and User.objects.exists():
            self.stdout.write("Demo data already present; nothing seeded.")
            self._print_existing_login()
            return
        self._create_demo_staff()

    def _create_demo_staff(self):
        # A known staff login is a convenience for a developer's machine only.
        if not settings.DEBUG:
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(
            username=DEMO_STAFF_USERNAME,
            email="demo-staff@hearth.local",
            password=password,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo staff login for /admin/ and /api/: username {DEMO_STAFF_USERNAME!r}, "
                f"password {password!r}"
            )
        )

    def _print_existing_login(self):
        if settings.DEBUG and User.objects.filter(username=DEMO_STAFF_USERNAME).exists():
            self.stdout.write(
                f"Demo staff username: {DEMO_STAFF_USERNAME!r} (password printed when it was "
                f"created; reset it with `manage.py changepassword {DEMO_STAFF_USERNAME}`)."
            )
