"""A RESO Data Dictionary 2.0 JSON-schema-style check of records, built from RESO's own tables.

``tests/data/reso/`` holds the rows of RESO's ``dd-2.0-fields.csv`` for the
resources Hearth serves (Property, OpenHouse, Office, Member) and of
``dd-2.0-lookups.csv`` for the lookups those fields use, with the columns the
check needs, copied unchanged from RESO's publication (RESOStandards
reso-tools, ``dd-data/2.0``). ``test_reso_mapping`` compares the extract with
the full tables when they are at hand (``RESO_DD_DIR``, default
``/work/shared/reso``).

The check is the one RESO's certification applies to a DD 2.0 payload: every
field is a DD field of the resource; a Number with a SugMaxPrecision is a
JSON number, one without is a JSON integer; Booleans are booleans; Dates are
``YYYY-MM-DD``; Timestamps are ISO 8601 with an offset; strings are strings
no longer than SugMaxLength; a lookup value is one of its lookup's values
(display or member form) whenever the DD enumerates that lookup.
"""

import csv
import datetime
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "reso"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")


@dataclass(frozen=True)
class DDField:
    resource: str
    name: str
    simple_type: str
    max_length: int | None
    precision: int | None
    lookup: str | None

    @property
    def json_type(self) -> str:
        if self.simple_type == "Number":
            return "number" if self.precision else "integer"
        if self.simple_type.startswith("String List"):
            return "lookup"
        return self.simple_type.lower()


def _int(text):
    return int(text) if text.strip() else None


@cache
def dd_fields(directory: Path = DATA) -> dict[tuple[str, str], DDField]:
    with open(directory / "dd-2.0-fields.csv", encoding="utf-8", newline="") as file:
        return {
            (row["ResourceName"], row["StandardName"]): DDField(
                resource=row["ResourceName"],
                name=row["StandardName"],
                simple_type=row["SimpleDataType"],
                max_length=_int(row["SugMaxLength"]),
                precision=_int(row["SugMaxPrecision"]),
                lookup=row["LookupName"] or None,
            )
            for row in csv.DictReader(file)
        }


@cache
def dd_lookups(directory: Path = DATA) -> dict[str, set[tuple[str, str]]]:
    """LookupName -> {(display, member)}."""
    lookups = defaultdict(set)
    with open(directory / "dd-2.0-lookups.csv", encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            lookups[row["LookupName"]].add((row["StandardLookupValue"], row["LegacyODataValue"]))
    return dict(lookups)


def _parses(kind, text) -> bool:
    try:
        if kind == "date":
            datetime.date.fromisoformat(text)
        else:
            datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def record_errors(resource: str, record: dict) -> list[str]:
    """Every way ``record`` breaks the DD 2.0 types of ``resource``; [] when it conforms."""
    fields, lookups = dd_fields(), dd_lookups()
    errors = []
    for name, value in record.items():
        field = fields.get((resource, name))
        if field is None:
            errors.append(f"{name}: not a DD 2.0 {resource} field")
            continue
        if value is None:
            continue
        kind = field.json_type
        if kind == "integer":
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif kind == "number":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        elif kind == "boolean":
            ok = isinstance(value, bool)
        elif kind == "date":
            ok = isinstance(value, str) and bool(_DATE.match(value)) and _parses(kind, value)
        elif kind == "timestamp":
            ok = isinstance(value, str) and bool(_TIMESTAMP.match(value)) and _parses(kind, value)
        elif kind in {"string", "lookup"}:
            ok = isinstance(value, str)
        else:
            ok = False  # collections and resources are never flat values
        if not ok:
            errors.append(f"{name}: {value!r} is not a DD {field.simple_type} ({kind})")
            continue
        if isinstance(value, str) and field.max_length and len(value) > field.max_length:
            errors.append(f"{name}: longer than {field.max_length} characters")
        if kind == "lookup" and lookups.get(field.lookup):
            if not any(value in pair for pair in lookups[field.lookup]):
                errors.append(f"{name}: {value!r} is not a value of the DD lookup {field.lookup}")
    return errors
