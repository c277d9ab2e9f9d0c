"""The admin index dashboard: what a broker checks every morning, in a fixed number of queries.

Every number is one aggregate the database answers from an index (measured
with EXPLAIN on 100k listings: see docs/admin.md), so the page costs the same
with ten listings or a million.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connections
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from imports.models import ImportRun
from mls.models import MlsSource, SyncRun
from properties import caching
from properties.models import Inquiry, Property
from properties.selectors import PercentileCont, to_cents

MONTHS_CHARTED = 12
LEADS_SHOWN = 8
SOURCES_SHOWN = 12
IMPORTS_SHOWN = 5


@dataclass
class Dashboard:
    listings_today: int = 0
    listings_week: int = 0
    inquiries_today: int = 0
    inquiries_week: int = 0
    leads_waiting: int = 0
    by_status: list = field(default_factory=list)  # [(label, value, count)]
    median_by_month: list = field(default_factory=list)  # [(YYYY-MM, Decimal)]
    oldest_leads: list = field(default_factory=list)  # Inquiry rows, oldest first
    # [(MlsSource, its last SyncRun or None)], by name; and the latest admin imports.
    sync_sources: list = field(default_factory=list)
    sync_sources_more: bool = False
    import_runs: list = field(default_factory=list)


def _day_starts(now: datetime) -> tuple[datetime, datetime]:
    today = timezone.localtime(now).date()
    week = today - timedelta(days=today.weekday())  # Monday
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(today, time.min, tzinfo=tz),
        datetime.combine(week, time.min, tzinfo=tz),
    )


def _first_month(today: date) -> date:
    month = today.month - (MONTHS_CHARTED - 1)
    year = today.year + (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1)


def _medians_by_month(since: date) -> list[tuple[str, Decimal]]:
    listings = Property.objects.filter(listed_at__gte=since, archived_at__isnull=True).order_by()
    if connections[listings.db].vendor == "postgresql":
        rows = (
            listings.annotate(month=TruncMonth("listed_at"))
            .values("month")
            .annotate(median=PercentileCont("price", fraction=0.5))
            .values_list("month", "median")
            .order_by("month")
        )
        return [(month.strftime("%Y-%m"), to_cents(repr(median))) for month, median in rows]
    # SQLite has no percentile aggregate: one query reads the prices of the
    # charted months (a development database), the medians are taken here.
    prices = defaultdict(list)
    for listed_at, price in listings.values_list("listed_at", "price").order_by("price"):
        prices[listed_at.strftime("%Y-%m")].append(price)
    medians = []
    for month in sorted(prices):
        values, middle = prices[month], len(prices[month]) // 2
        median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
        medians.append((month, to_cents(median)))
    return medians


def _listing_numbers(now, today, week) -> tuple:
    # Archived (deleted) listings are out of the business, as they are out of the API.
    live = Property.objects.filter(archived_at__isnull=True)
    new_listings = live.filter(created_at__gte=week).aggregate(
        week=Count("id"), today=Count("id", filter=Q(created_at__gte=today))
    )
    counts = dict(live.order_by().values_list("status").annotate(total=Count("id")))
    by_status = [
        (status.label, status.value, counts.get(status.value, 0)) for status in Property.Status
    ]
    medians = _medians_by_month(_first_month(timezone.localtime(now).date()))
    return new_listings["today"], new_listings["week"], by_status, medians


def _sync_health(board: Dashboard) -> None:
    """Each MLS source's last run and the latest imports: three queries (two with no run yet)."""
    last_run = (
        SyncRun.objects.filter(source=OuterRef("pk")).order_by("-queued_at", "-id").values("pk")
    )
    sources = list(
        MlsSource.objects.annotate(last_run_id=Subquery(last_run[:1]))
        .only("id", "name", "enabled")
        .order_by("name")[: SOURCES_SHOWN + 1]
    )
    # One more than shown tells the panel to link to the rest.
    board.sync_sources_more = len(sources) > SOURCES_SHOWN
    sources = sources[:SOURCES_SHOWN]
    runs = SyncRun.objects.defer("errors").in_bulk(
        [source.last_run_id for source in sources if source.last_run_id]
    )
    board.sync_sources = [(source, runs.get(source.last_run_id)) for source in sources]
    board.import_runs = list(
        ImportRun.objects.select_related("uploaded_by").defer("content", "errors")[:IMPORTS_SHOWN]
    )


def dashboard_data(*, now: datetime | None = None) -> Dashboard:
    """The admin index's numbers: at most seven queries (a cache hit) or ten, whatever the data."""
    now = now or timezone.now()
    today, week = _day_starts(now)
    board = Dashboard()

    # The listing aggregates read every listing (~0.5 s on 100k on PostgreSQL):
    # cached under the listing data version, which every listing write replaces
    # (database rule), so they are never stale; a hit costs one query.
    token = caching.listing_data_version()
    key = f"hearth:dashboard:{token}:{today.isoformat()}"
    listings = caching._cache_get(key) if token else None
    if listings is None:
        listings = _listing_numbers(now, today, week)
        if token:
            caching._cache_set(key, listings)
    (
        board.listings_today,
        board.listings_week,
        board.by_status,
        board.median_by_month,
    ) = listings

    new_inquiries = Inquiry.objects.filter(created_at__gte=week).aggregate(
        week=Count("id"), today=Count("id", filter=Q(created_at__gte=today))
    )
    board.inquiries_today, board.inquiries_week = new_inquiries["today"], new_inquiries["week"]

    waiting = Inquiry.objects.filter(answered_at__isnull=True)
    board.leads_waiting = waiting.count()
    board.oldest_leads = list(
        waiting.select_related("property", "property__listing_agent").order_by("created_at", "id")[
            :LEADS_SHOWN
        ]
    )
    _sync_health(board)
    return board
