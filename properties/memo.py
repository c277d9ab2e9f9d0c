"""Exact answers over many listings, computed once per listing data version.

A count of the visible listings, or the market statistics of a filter, reads
every matching row: at a million listings that is over 100 ms for a count and
over a second for the statistics, the same answer for every request until a
listing changes. The listing data version's token (``ListingDataVersion``,
replaced by the database rules on every write to listings, photos, open houses
and what listings show of their agents) says exactly when that is, so an
answer is stored under the token and the statement it answers (the compiled
SQL and its parameters: filters, visibility and user included) and stays exact:
a write gives the next request a new token and a fresh computation.

This memoizes values, not responses (``properties.caching`` stores those), so
it serves the response cache's misses and ``API_RESPONSE_CACHE=false`` alike.
``LISTING_READ_MEMO=false`` turns it off.
"""

import hashlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.utils.functional import cached_property
from rest_framework.exceptions import ValidationError

from config.pagination import KeysetPagination, PageNumberPagination, Paginator
from properties.database_rules.data_version import IMMEDIATE_SETTING
from properties.models import ListingDataVersion, Property

logger = logging.getLogger(__name__)

KEY_PREFIX = "listing-memo"
# Searches keep the ranked ids of this many first matches (pages 1-50 of 20).
RANKED_ROWS = 1000
TOKEN_TABLE = ListingDataVersion._meta.db_table
TOKEN_SQL = {
    # A transaction that has written something may hold listing changes the token
    # does not show yet (PostgreSQL replaces it as the transaction commits), so
    # such a transaction gets no token and computes. Tests replace it at each
    # statement (IMMEDIATE_SETTING) and may use it.
    "postgresql": (
        f"SELECT token FROM {TOKEN_TABLE} WHERE id = %s AND ("  # noqa: S608
        "pg_current_xact_id_if_assigned() IS NULL "
        f"OR current_setting('{IMMEDIATE_SETTING}', true) = 'on')"
    ),
    # SQLite's triggers replace the token with each row written, in the writer's
    # transaction: a rolled-back change takes its token with it.
    "sqlite": f"SELECT token FROM {TOKEN_TABLE} WHERE id = %s",  # noqa: S608
}


_READ = object()


def _token(alias: str) -> str | None:
    sql = TOKEN_SQL.get(connections[alias].vendor)
    if sql is None:
        return None
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [ListingDataVersion.SINGLETON_ID])
        row = cursor.fetchone()
    return row[0] if row else None


def _key(kind: str, token: str, queryset) -> str | None:
    try:
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:
        return None  # nothing can match; computing it costs no query either
    text = "\x00".join((token, kind, sql, repr(params)))
    return f"{KEY_PREFIX}:{kind}:{hashlib.sha256(text.encode()).hexdigest()}"


def data_version(queryset) -> str | None:
    """The token ``per_data_version`` stores under; None when nothing may be stored."""
    if not settings.LISTING_READ_MEMO:
        return None
    # The queryset's own database (a replica, for API reads): the token must describe it.
    return _token(queryset.db)


def per_data_version(kind: str, queryset, compute: Callable, *, token=_READ):
    """``compute()``, the answer about ``queryset``, stored per data version.

    ``kind`` names what is computed (two answers about one queryset differ).
    Costs one primary-key query for the token, unless the caller passes the
    ``data_version(queryset)`` it read already; a cache that fails is a miss.
    """
    if token is _READ:
        token = data_version(queryset)
    key = _key(kind, token, queryset) if token else None
    if key is None:
        return compute()
    try:
        value = cache.get(key)
    except Exception:
        logger.warning("listing memo: get failed", exc_info=True)
        value = None
    if value is None:
        value = compute()
        try:
            cache.set(key, value, settings.LISTING_READ_MEMO_TIMEOUT)
        except Exception:
            logger.warning("listing memo: set failed", exc_info=True)
    return value


class MemoizedCountPaginator(Paginator):
    """The paginator whose exact ``count`` is computed once per data version.

    Only for querysets of listings alone (the list of ``PropertyViewSet``): a join
    to a table the data version does not follow (favourites, inquiries) would
    leave a stored count stale, so other rows (a listing's history) count as usual.
    """

    @cached_property
    def count(self):
        rows = self.object_list
        if getattr(rows, "model", None) is not Property:
            return super().count
        return per_data_version("count", rows.order_by(), rows.count, token=self._token)

    @cached_property
    def _token(self):
        # One token read for the count and the page of a request.
        return data_version(self.object_list)

    def _page_rows(self, bottom, top):
        # A search ranks every match to find the first page (ts_rank of each),
        # so the ranked order of the first RANKED_ROWS matches is stored per data
        # version and a page reads just its own rows, in the same ORDER BY.
        rows = self.object_list
        if (
            top > RANKED_ROWS
            or getattr(rows, "model", None) is not Property
            or "search_rank" not in rows.query.annotations
        ):
            return super()._page_rows(bottom, top)
        ranked = per_data_version(
            "ranked-ids",
            rows,
            lambda: list(rows.values_list("pk", flat=True)[:RANKED_ROWS]),
            token=self._token,
        )
        return rows.filter(pk__in=ranked[bottom:top])


class ListingKeysetPagination(KeysetPagination):
    """Listing pages by ``?cursor=``, on the orderings whose key is never empty."""

    keyset_fields = ("created_at", "updated_at", "listed_at", "price")

    def get_count(self, queryset) -> int:
        return per_data_version("count", queryset.order_by(), queryset.count)


class ListingPagination(PageNumberPagination):
    """The listing API's pages, counted per data version: numbered, or by cursor.

    ``?page=`` (the default) numbers pages; ``?cursor=`` follows the ordering
    from a row's position instead (``ListingKeysetPagination``), for apps that
    scroll and for replication. Both answer the same shape.
    """

    django_paginator_class = MemoizedCountPaginator
    keyset = None

    def paginate_queryset(self, queryset, request, view=None):
        if ListingKeysetPagination.cursor_query_param not in request.query_params:
            return super().paginate_queryset(queryset, request, view)
        if self.page_query_param in request.query_params:
            raise ValidationError({self.page_query_param: ["Give page or cursor, not both."]})
        self.keyset = ListingKeysetPagination()
        page = self.keyset.paginate_queryset(queryset, request, view)
        self.display_page_controls = self.keyset.display_page_controls
        return page

    def get_paginated_response(self, data):
        if self.keyset:
            return self.keyset.get_paginated_response(data)
        return super().get_paginated_response(data)

    def to_html(self):
        return self.keyset.to_html() if self.keyset else super().to_html()

    def get_schema_operation_parameters(self, view):
        cursor = {
            "name": ListingKeysetPagination.cursor_query_param,
            "required": False,
            "in": "query",
            "description": (
                "Page by position instead of number: empty for the first page, then the "
                "value in next or previous. The ordering must be by created_at, updated_at, "
                "listed_at or price (the default, -created_at, is)."
            ),
            "schema": {"type": "string"},
        }
        return [*super().get_schema_operation_parameters(view), cursor]
