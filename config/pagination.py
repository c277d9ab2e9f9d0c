"""Pagination shared by every list endpoint."""

from django.core import paginator
from django.db.models import QuerySet
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


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

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationError({self.page_size_query_param: ["Enter a positive whole number."]})
        return min(size, self.max_page_size)
