"""Helpers for the management-command tests: write feeds, run commands, capture output."""

import csv
import io
import json

from django.core.management import call_command

# A header with every RESO field the importer reads, in the order of a typical feed.
HEADER = [
    "ListingId",
    "StandardStatus",
    "PropertyType",
    "ListPrice",
    "UnparsedAddress",
    "City",
    "StateOrProvince",
    "PostalCode",
    "Latitude",
    "Longitude",
    "ListingContractDate",
    "PublicRemarks",
]


def reso_row(mls_number, **fields):
    """A valid RESO record; keyword arguments replace or add fields."""
    row = {
        "ListingId": mls_number,
        "StandardStatus": "Active",
        "PropertyType": "Residential",
        "ListPrice": "450000",
        "UnparsedAddress": "12 Oak St",
        "City": "Austin",
        "StateOrProvince": "TX",
        "PostalCode": "78701",
        "Latitude": "30.2672",
        "Longitude": "-97.7431",
        "ListingContractDate": "2026-03-01",
        "PublicRemarks": "Bright corner lot.",
    }
    row.update(fields)
    return row


def write_csv(directory, rows, *, name="feed.csv", header=None, bom=False):
    """Write RESO ``rows`` as a CSV file in ``directory``; returns its path."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=header or list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path = directory / name
    path.write_bytes(buffer.getvalue().encode("utf-8-sig" if bom else "utf-8"))
    return str(path)


def write_json(directory, document, *, name="feed.json"):
    path = directory / name
    text = document if isinstance(document, str) else json.dumps(document)
    path.write_text(text, encoding="utf-8")
    return str(path)


class CommandRun:
    def __init__(self, code, stdout, stderr):
        self.code = code
        self.stdout = stdout
        self.stderr = stderr

    @property
    def last_line(self):
        return self.stdout.rstrip("\n").splitlines()[-1]

    @property
    def error_lines(self):
        return self.stderr.rstrip("\n").splitlines()


def run_command(*args):
    """Run a management command; returns its exit code and captured output."""
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=stdout, stderr=stderr)
    except SystemExit as exc:
        return CommandRun(exc.code, stdout.getvalue(), stderr.getvalue())
    return CommandRun(0, stdout.getvalue(), stderr.getvalue())
