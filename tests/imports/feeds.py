"""Feeds as the bytes a browser uploads."""

import csv
import io
import json

from tests.properties.command_helpers import reso_row


def csv_bytes(rows, *, header=None) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=header or list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def json_bytes(records, *, envelope=True) -> bytes:
    return json.dumps({"value": records} if envelope else records).encode()


def mixed_feed() -> bytes:
    """Two good rows around two bad ones (rows 3 and 4, as a spreadsheet numbers them)."""
    return csv_bytes(
        [
            reso_row("GOOD-1"),
            reso_row("NO-CITY", City=""),
            reso_row("CHEAP", ListPrice="cheap"),
            reso_row("GOOD-2", ListPrice="510000"),
        ]
    )
