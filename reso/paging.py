"""Server-driven paging: keyset (seek) pages where the ordering allows, offsets otherwise.

A replicating consumer orders by ``ModificationTimestamp`` and follows
``@odata.nextLink``. Offsets would skip a record whenever one before the
cursor changes (every later row moves up a place) and repeat one when a row
is inserted before it; a keyset page instead asks for "the rows after
(timestamp, key) of the last row sent", so it cannot. The first page also
fixes the highest timestamp the pass reads: a record changed during the pass
moves past that bound and is read once, by the consumer's next pass
(``ModificationTimestamp gt`` the last one it saw), not twice in this one.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from operator import attrgetter

from django.db.models import Q
from django.utils import timezone

from reso.fields import Field
from reso.query import MAX_TOP, Query, QueryError


@dataclass
class Page:
    rows: list
    next_token: str | None = None
    next_skip: int | None = None


def _order_fields(query: Query) -> list[tuple[Field, bool]]:
    key = query.resource.by_name[query.resource.key]
    ordering = list(query.ordering)
    if key not in [dd_field for dd_field, _ in ordering]:
        # The key makes every ordering total, so a keyset page has exactly one place to resume.
        ordering.append((key, ordering[-1][1] if ordering else False))
    return ordering


def keyset_possible(query: Query) -> bool:
    """Keyset pages need every ordering column non-null (NULLs sort differently per database)."""
    return query.skip == 0 and all(not f.nullable for f, _ in _order_fields(query))


def order_by(query: Query) -> list[str]:
    return [("-" if desc else "") + f.query_path for f, desc in _order_fields(query)]


def _encode(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _decode(token: str) -> dict:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError):
        raise QueryError("$skiptoken: not a token this service issued.") from None
    if not isinstance(data, dict) or not isinstance(data.get("after"), list):
        raise QueryError("$skiptoken: not a token this service issued.")
    return data


def _after(ordering, values) -> Q:
    """Rows strictly after ``values`` in ``ordering``: (a > x) or (a = x and b > y) or ..."""
    if len(values) != len(ordering):
        raise QueryError("$skiptoken: it belongs to another $orderby.")
    condition = Q(pk__in=[])
    equal = Q()
    for (dd_field, desc), value in zip(ordering, values, strict=True):
        lookup = "lt" if desc else "gt"
        condition |= equal & Q(**{f"{dd_field.query_path}__{lookup}": value})
        equal &= Q(**{dd_field.query_path: value})
    return condition


def _raw(obj, dd_field: Field):
    value = attrgetter(dd_field.query_path.replace("__", "."))(obj)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value if isinstance(value, int | str | float) else str(value)


def page(queryset, query: Query, params) -> tuple[Page, object]:
    """One page of ``queryset`` (already filtered); also the queryset the count should use."""
    remaining = query.top if query.top_given else None
    size = min(query.top, MAX_TOP)
    resource = query.resource
    timestamp = resource.by_name.get(resource.timestamp) if resource.timestamp else None
    if keyset_possible(query):
        ordering = _order_fields(query)
        token = _decode(params["$skiptoken"]) if "$skiptoken" in params else None
        until = token.get("until") if token else None
        if token is None and timestamp is not None and ordering[0][0] is timestamp:
            until = timezone.now().isoformat()
        if until is not None and timestamp is not None:
            queryset = queryset.filter(**{f"{timestamp.query_path}__lte": until})
        counted = queryset
        if token is not None:
            remaining = token.get("remaining")
            size = min(size, remaining) if remaining is not None else size
            queryset = queryset.filter(_after(ordering, token["after"]))
        rows = list(queryset.order_by(*order_by(query))[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        left = None if remaining is None else remaining - len(rows)
        if not more or not rows or left == 0:
            return Page(rows), counted
        after = [_raw(rows[-1], f) for f, _ in ordering]
        return Page(
            rows, next_token=_encode({"after": after, "until": until, "remaining": left})
        ), counted
    if "$skiptoken" in params:
        raise QueryError("$skiptoken: only with an ordering on non-null fields and no $skip.")
    start = query.skip
    stop = start + size
    rows = list(queryset.order_by(*order_by(query))[start : stop + 1])
    more = len(rows) > size
    rows = rows[:size]
    if not more or (remaining is not None and remaining <= size):
        return Page(rows), queryset
    return Page(rows, next_skip=stop), queryset
