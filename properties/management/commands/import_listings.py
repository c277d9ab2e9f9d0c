import sys
import time
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from properties.feeds import FORMATS, FeedError, feed_open
from properties.importing import DEFAULT_BATCH_SIZE, listings_import


class Command(BaseCommand):
    help = (
        "Import listings from a RESO CSV or JSON feed (a file or an http(s) URL), upserting "
        "on ListingId. Bad rows are reported and skipped; the exit status is 1 when any failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="A file path or an http(s):// URL.")
        parser.add_argument(
            "--format", choices=FORMATS, help="Default: from the file extension or content."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and count, but write nothing."
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"Rows per transaction (default {DEFAULT_BATCH_SIZE}).",
        )
        parser.add_argument(
            "--allow-private",
            action="store_true",
            help="Allow URLs on private, loopback or link-local addresses (e.g. a local mirror).",
        )

    def handle(self, *args, source, format, dry_run, batch_size, allow_private, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            feed = feed_open(source, format=format, allow_private=allow_private)
        except FeedError as exc:
            raise CommandError(str(exc)) from None
        progress = _ProgressReport(self.stderr, feed)
        try:
            result = listings_import(
                records=feed.records,
                dry_run=dry_run,
                batch_size=batch_size,
                on_batch=progress.update,
                # The file name only: a URL may carry credentials in its query or netloc.
                context=f"import_listings: {PurePosixPath(urlsplit(source).path).name}"[:255],
            )
        except FeedError as exc:
            progress.finish()
            # Earlier batches are committed; re-running the fixed file completes the job.
            raise CommandError(f"{exc} Rows before it were imported.") from None
        except DatabaseError as exc:
            progress.finish()
            raise CommandError(
                f"Writing to the database failed: {exc}. Batches before the failing one were "
                "committed; running the import again completes it."
            ) from None
        progress.finish()
        for failure in result.failures:
            self.stderr.write(str(failure))
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        self.stdout.write(result.summary())
        if result.failed:
            sys.exit(1)


class _ProgressReport:
    """A bar redrawn in place on a terminal; a plain line every few seconds otherwise."""

    WIDTH = 30
    PLAIN_INTERVAL_SECONDS = 5

    def __init__(self, stream, feed):
        self.stream = stream
        self.feed = feed
        self.on_terminal = stream.isatty()
        self.started = self.last_line = time.monotonic()
        self.drawn = False

    def update(self, result):
        now = time.monotonic()
        fraction = min(self.feed.fraction_read, 1.0)
        rate = result.rows / max(now - self.started, 1e-6)
        if self.on_terminal:
            filled = int(fraction * self.WIDTH)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            self.stream.write(
                f"\r[{bar}] {fraction:4.0%} {result.rows} rows, {rate:,.0f} rows/s",
                style_func=_plain,
                ending="",
            )
            self.stream.flush()
            self.drawn = True
        elif now - self.last_line >= self.PLAIN_INTERVAL_SECONDS:
            self.stream.write(
                f"{fraction:.0%} read, {result.rows} rows, {rate:,.0f} rows/s", style_func=_plain
            )
            self.last_line = now

    def finish(self):
        if self.drawn:
            self.stream.write("", style_func=_plain)
            self.drawn = False


def _plain(text):
    # stderr is styled as errors on a terminal; progress is not an error.
    return text
