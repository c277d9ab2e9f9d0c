"""Pagination shared by every list endpoint."""

import json

from django.core import paginator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from config.filters import single_value


class Paginator(paginator.Paginator):
    """Django's paginator, picking a deep page's rows by id before reading them.

    OFFSET makes PostgreSQL build every skipped row before throwing it away:
    page 2,000 joined 39,980 listings nobody sees to their agents and carried
    them in full. From ``deferred_from``
    skipped rows on, the page is read as ``WHERE pk IN (the page's ids,
    ordered and sliced)``: the ids are taken in the ordering index's order,
    and only the page's own rows are joined and read in full (figures in
    bench/RESULTS.md, "Where the read path's time went").
    Still one query, same rows, same order.
    """

    deferred_from = 1000

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self._page_rows(bottom, top), number, self)

    def _page_rows(self, bottom, top):
        rows = self.object_list
        if (
            bottom < self.deferred_from
            or not isinstance(rows, QuerySet)
            or rows.query.combinator
            or rows.query.distinct
        ):
            return rows[bottom:top]
        return rows.filter(pk__in=rows.values("pk")[bottom:top])


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=` and `?page_size=` (default 20; larger values are capped at 100).

    DRF silently falls back to the default for a page size it cannot read;
    like every other bad query parameter, it is a 400 here.
    """

    django_paginator_class = Paginator
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_number(self, request, paginator):
        return single_value(request, self.page_query_param) or 1

    def get_page_size(self, request):
        raw = single_value(request, self.page_size_query_param)
        if not raw:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationError({self.page_size_query_param: ["Enter a positive whole number."]})
        return min(size, self.max_page_size)


class KeysetPagination(pagination.CursorPagination):
    """``?cursor=``: pages that continue from the last row's (key, id) instead of an offset.

    For apps that scroll and for replication: a page costs the same however
    deep it is, and rows added or removed before the position never shift
    the next page by one. ``cursor=`` (empty) asks for the first page; each
    page's ``next`` and ``previous`` links carry the cursor to follow.

    DRF's cursor holds the first ordering key alone and steps over ties with
    an offset (capped at 1,000 rows); the orderings served here always end in
    an id tie-breaker running the same way as their key (the filters add it), so
    the position is the (key, id) pair of a row: unique, never an offset, and
    read with the (key, id) index of the ordering. The key must be one of
    ``keyset_fields``: columns that are never empty.
    """

    page_size = PageNumberPagination.page_size
    page_size_query_param = PageNumberPagination.page_size_query_param
    max_page_size = PageNumberPagination.max_page_size
    keyset_fields: tuple[str, ...] = ()
    invalid_cursor_message = "Invalid cursor: follow a next or previous link as given."

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.model = queryset.model
        self.page_size = PageNumberPagination().get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        self.cursor = self.decode_cursor(request)
        self.count = self.get_count(queryset)
        reverse = self.cursor.reverse if self.cursor else False
        ordering = pagination._reverse_ordering(self.ordering) if reverse else self.ordering
        queryset = queryset.order_by(*ordering)
        position = self.cursor.position if self.cursor else None
        if position is not None:
            queryset = queryset.filter(self._after(position, ordering))

        # One row more than the page tells whether another page follows.
        rows = list(queryset[: self.page_size + 1])
        self.page = rows[: self.page_size]
        has_following = len(rows) > len(self.page)
        following = self._get_position_from_instance(rows[-1], self.ordering) if rows else None
        if reverse:
            self.page.reverse()
            self.has_next, self.has_previous = position is not None, has_following
            self.next_position = position
            self.previous_position = following
        else:
            self.has_next, self.has_previous = has_following, position is not None
            self.next_position = following
            self.previous_position = position
        self.display_page_controls = self.has_previous or self.has_next
        return self.page

    def get_count(self, queryset) -> int:
        return queryset.order_by().count()

    def get_ordering(self, request, queryset, view):
        ordering = [str(key) for key in queryset.query.order_by] or list(
            queryset.model._meta.ordering
        )
        key = ordering[0].lstrip("-") if ordering else ""
        tie_breaker = "-id" if ordering and ordering[0].startswith("-") else "id"
        if key not in self.keyset_fields or ordering[1:] != [tie_breaker]:
            fields = ", ".join(self.keyset_fields)
            raise ValidationError(
                {self.cursor_query_param: [f"Cursor pages follow an ordering by {fields}."]}
            )
        return tuple(ordering)

    def decode_cursor(self, request):
        single_value(request, self.cursor_query_param)
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise self._invalid() from None

    def _get_position_from_instance(self, instance, ordering):
        key = ordering[0].lstrip("-")
        value = instance._meta.get_field(key).value_to_string(instance)
        # The key's name travels with the position, so a cursor is refused under another ordering.
        return json.dumps([key, value, instance.pk], separators=(",", ":"))

    def _after(self, position: str, ordering) -> Q:
        """The rows after ``position`` in ``ordering``: (key, id) beyond the pair."""
        key = ordering[0].lstrip("-")
        try:
            named, raw, pk = json.loads(position)
            value = self.model._meta.get_field(key).to_python(raw)
            pk = int(pk)
        except (ValueError, TypeError, DjangoValidationError):
            named = None
        if named != key or value is None:
            raise self._invalid()
        beyond, reach = ("lt", "lte") if ordering[0].startswith("-") else ("gt", "gte")
        # The first condition alone bounds the index range; the second steps past the pair.
        return Q(**{f"{key}__{reach}": value}) & (
            Q(**{f"{key}__{beyond}": value}) | Q(**{"pk__" + beyond: pk})
        )

    def _invalid(self) -> ValidationError:
        # DRF answers 404 for a bad cursor; here, like every bad parameter, it is a 400.
        return ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )
