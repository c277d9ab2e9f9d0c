"""Sync MLS sources in the foreground: `manage.py sync_mls [SOURCE…] [--full]`."""

from django.core.management.base import BaseCommand, CommandError

from mls.models import MlsSource, SyncRun
from mls.sync import SourceBusy, sync_run_execute


class Command(BaseCommand):
    help = "Replicate MLS sources now, in the foreground (all enabled sources by default)."

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="*", metavar="SOURCE", help="Source names or ids.")
        parser.add_argument(
            "--full", action="store_true", help="Read every record, and reconcile deletions."
        )

    def handle(self, *args, sources, full, **options):
        chosen = self._sources(sources)
        failed = False
        for source in chosen:
            active = source.runs.filter(status__in=SyncRun.ACTIVE_STATUSES).first()
            if active is not None:
                raise CommandError(f"{source}: run #{active.pk} is already {active.status}.")
            run = SyncRun.objects.create(source=source, trigger=SyncRun.Trigger.COMMAND, full=full)
            self.stdout.write(f"{source}: syncing ({'full' if full else 'incremental'})…")
            try:
                run = sync_run_execute(run_id=run.pk, on_page=self._progress)
            except SourceBusy:
                message = f"{source} is being synced by a worker; try again later."
                raise CommandError(message) from None
            self.stderr.write("")
            for error in run.errors:
                self.stderr.write(f"  {error['key'] or '-'}: {error['message']}")
            if run.status == SyncRun.Status.FAILED:
                failed = True
                self.stderr.write(f"{source}: failed: {run.message}")
            self.stdout.write(f"{source}: {run.summary()}")
        if failed:
            raise CommandError("Some sources failed; see above.")

    def _progress(self, run):
        done = run.created + run.updated + run.unchanged + run.failed
        self.stderr.write(f"\r  {done} records read, {run.summary()}", ending="")
        self.stderr.flush()

    def _sources(self, names):
        if not names:
            chosen = list(MlsSource.objects.filter(enabled=True))
            if not chosen:
                raise CommandError("No enabled MLS source; add one in the admin.")
            return chosen
        chosen = []
        for name in names:
            lookup = {"pk": int(name)} if name.isdigit() else {"name": name}
            source = MlsSource.objects.filter(**lookup).first()
            if source is None:
                raise CommandError(f"No MLS source {name!r}.")
            chosen.append(source)
        return chosen
