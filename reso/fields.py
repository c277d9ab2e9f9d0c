"""What one served field is: its Data Dictionary name and type, and where Hearth keeps it."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Expression

# Data Dictionary 2.0 simple types -> EDM types. DD "Number" with a scale is a
# decimal; without one, an integer. "String List, Single" is a lookup, served
# as a string whose values the Lookup resource lists (RESO's string-enum approach).
EDM_STRING = "Edm.String"
EDM_INT = "Edm.Int64"
EDM_DECIMAL = "Edm.Decimal"
EDM_DOUBLE = "Edm.Double"
EDM_DATE = "Edm.Date"
EDM_TIMESTAMP = "Edm.DateTimeOffset"
EDM_BOOLEAN = "Edm.Boolean"


@dataclass(frozen=True)
class Field:
    """A DD field: ``source`` is the ORM path $filter and $orderby use (None: read only).

    ``expression`` stands for a value Hearth computes (annotated when a query
    names it); ``lookup`` maps Hearth's stored value to the DD lookup value.
    """

    name: str
    edm: str
    source: str | None = None
    read: Callable[[Any], Any] | None = None
    expression: Expression | None = None
    lookup_name: str | None = None
    lookup: dict[str, str] | None = None
    nullable: bool = True
    max_length: int | None = None
    precision: int | None = None
    scale: int | None = None
    # A value that needs the request (an absolute URL): (obj, request) -> str.
    absolute_url: Callable[[Any, Any], Any] | None = None
    # The Hearth <-> DD mapping's own field (properties.reso), when this is one of its.
    dd: Any = None

    @property
    def queryable(self) -> bool:
        return self.source is not None or self.expression is not None

    @property
    def query_path(self) -> str:
        """The name a filter or ordering on this field uses in the ORM."""
        return self.source if self.source is not None else f"dd_{self.name}"

    def value(self, obj, request=None) -> Any:
        if self.dd is not None:
            return self.dd.value(obj)
        if self.absolute_url is not None:
            return self.absolute_url(obj, request)
        if self.read is not None:
            raw = self.read(obj)
        else:
            raw = obj
            for part in self.source.split("__"):
                raw = getattr(raw, part)
                if raw is None:  # a null relation: the listing has no agent
                    break
        return to_json(self, raw)


def to_json(dd_field: Field, raw):
    """A stored value as the JSON value its EDM type calls for (numbers as numbers)."""
    if raw is None:
        return None
    if dd_field.lookup is not None:
        return dd_field.lookup.get(raw, raw)
    if dd_field.edm == EDM_TIMESTAMP:
        return raw.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    if dd_field.edm == EDM_DATE:
        return raw.isoformat()
    if dd_field.edm == EDM_INT:
        return int(raw)
    if dd_field.edm in (EDM_DECIMAL, EDM_DOUBLE):
        if isinstance(raw, int):
            return raw
        if isinstance(raw, Decimal) and raw == raw.to_integral_value():
            return int(raw)
        return float(raw)
    if dd_field.edm == EDM_STRING:
        return str(raw)
    return raw


def lookup_to_hearth(dd_field: Field, value) -> list:
    """The stored values a DD lookup value (either spelling) stands for; [] matches nothing."""
    if not isinstance(value, str):
        return [value]
    key = _spelling_free(value)
    return [
        stored for stored, dd_value in dd_field.lookup.items() if _spelling_free(dd_value) == key
    ]


def _spelling_free(value: str) -> str:
    # "Coming Soon", "ComingSoon" and "coming_soon" name one value.
    return "".join(ch for ch in value.lower() if ch.isalnum())
