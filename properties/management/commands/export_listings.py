import csv
import json
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from properties.models import Property
from properties.reso import RESO_FIELDS, csv_safe, listing_to_reso

CHUNK_SIZE = 2000


class Command(BaseCommand):
    help = (
        "Export every listing in the RESO shape import_listings reads, streamed in constant "
        'memory: CSV (cells safe to open in a spreadsheet) or a JSON {"value": [...]} envelope.'
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format",
            choices=["csv", "json"],
            help="Default: from the --output extension, else csv.",
        )
        parser.add_argument(
            "--output", help="File to write (replaced only once complete); default stdout."
        )

    def handle(self, *args, format, output, **options):
        if format is None:
            format = "json" if output and output.lower().endswith(".json") else "csv"
        write_records = _csv_write if format == "csv" else _json_write
        if not output:
            count = write_records(_StdoutText(self.stdout))
            self.stderr.write(f"exported {count} listings")
            return
        # Written beside the target and renamed, so a failed export never leaves half a file.
        partial = Path(f"{output}.partial")
        try:
            with open(partial, "w", encoding="utf-8", newline="") as file:
                count = write_records(file)
            os.replace(partial, output)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Cannot write {output}: {exc.strerror or exc}") from None
        self.stdout.write(f"exported {count} listings to {output}")


def _listings():
    # Deleted (archived) listings are kept for the records that refer to them, not exported.
    return (
        Property.objects.filter(archived_at__isnull=True)
        .select_related("listing_agent")
        .order_by("id")
        .iterator(CHUNK_SIZE)
    )


def _csv_write(file) -> int:
    writer = csv.writer(file)
    writer.writerow(RESO_FIELDS)
    count = 0
    for count, listing in enumerate(_listings(), start=1):  # noqa: B007
        writer.writerow(csv_safe(value) for value in listing_to_reso(listing).values())
    return count


def _json_write(file) -> int:
    file.write('{"value": [')
    count = 0
    for count, listing in enumerate(_listings(), start=1):  # noqa: B007
        file.write(",\n" if count > 1 else "\n")
        file.write(json.dumps(listing_to_reso(listing), ensure_ascii=False))
    file.write("\n]}\n")
    return count


class _StdoutText:
    """The command's stdout as a plain text stream (no line endings added)."""

    def __init__(self, stdout):
        self.stdout = stdout

    def write(self, text):
        self.stdout.write(text, ending="")
