"""Reads beyond the listing list: favorites, inquiries and market statistics."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connections
from django.db.models import Aggregate, Count, F, FloatField, Q, Sum
from django.db.models.functions import Cast

from properties.memo import per_data_version
from properties.models import Inquiry, Property

CENT = Decimal("0.01")
STATUSES = Property.Status.values
PROPERTY_TYPES = Property.PropertyType.values


def to_cents(value) -> Decimal | None:
    """Round an amount to the cent, halves away from zero, the same on every database."""
    if value is None:
        return None
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def favorite_listings(*, user):
    """The listings ``user`` saved and may still see, most recently saved first.

    A deleted (archived) listing stays in its savers' favourites, marked by
    ``archived_at``: deleting it is someone else's action, and must not take
    a client's saved listing away.
    """
    if not user.is_authenticated:
        return Property.objects.none()
    return (
        (Property.objects.visible_to(user) | Property.objects.archived())
        .filter(favorites__user=user)
        .with_list_data()
        # The join made by the filter above is reused: one row per favorite.
        .order_by("-favorites__created_at", "-favorites__id")
    )


def inquiries_visible_to(user):
    """Staff see every inquiry; others those they sent and those about their listings."""
    inquiries = Inquiry.objects.select_related("property", "sender")
    if not user.is_authenticated:
        return inquiries.none()
    if user.is_staff:
        return inquiries
    return inquiries.filter(Q(sender=user) | Q(property__listing_agent=user))


class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)``."""

    function = "PERCENTILE_CONT"
    name = "PercentileCont"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, *, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def _price_per_sqft():
    return Cast(F("price"), FloatField()) / Cast(F("living_area"), FloatField())


def _middle_rows(queryset, order, count: int) -> list:
    # The one (odd count) or two (even count) middle rows, found by the
    # database's sort: exact, and no more than two rows leave it.
    if count == 0:
        return []
    start, stop = (count - 1) // 2, count // 2 + 1
    return list(queryset.order_by(order, "id")[start:stop])


def _medians_exact(queryset, *, count: int, with_area: int):
    middle_prices = _middle_rows(queryset.values_list("price", flat=True), "price", count)
    median_price = sum(middle_prices) / len(middle_prices) if middle_prices else None
    middle_areas = _middle_rows(
        queryset.filter(living_area__isnull=False)
        .annotate(price_per_sqft=_price_per_sqft())
        .values_list("price", "living_area"),
        "price_per_sqft",
        with_area,
    )
    per_sqft = [Decimal(price) / area for price, area in middle_areas]
    median_per_sqft = sum(per_sqft) / len(per_sqft) if per_sqft else None
    return median_price, median_per_sqft


def _medians_postgresql(queryset):
    # percentile_cont works in double precision; prices in cents are whole
    # numbers below 2**53, so the median price (a whole or half cent) is exact.
    medians = queryset.aggregate(
        price_cents=PercentileCont(Cast(F("price") * 100, FloatField()), fraction=0.5),
        per_sqft=PercentileCont(_price_per_sqft(), fraction=0.5),
    )
    price_cents, per_sqft = medians["price_cents"], medians["per_sqft"]
    median_price = None if price_cents is None else Decimal(price_cents) / 100
    median_per_sqft = None if per_sqft is None else Decimal(repr(per_sqft))
    return median_price, median_per_sqft


@dataclass
class MarketStats:
    count: int = 0
    median_price: Decimal | None = None
    average_price: Decimal | None = None
    median_price_per_sqft: Decimal | None = None
    by_status: dict = field(default_factory=dict)
    by_property_type: dict = field(default_factory=dict)


def market_stats(queryset) -> MarketStats:
    """The statistics of ``queryset`` (``market_stats_compute``), once per data version."""
    queryset = queryset.order_by()
    return per_data_version("market-stats", queryset, lambda: market_stats_compute(queryset))


def market_stats_compute(queryset) -> MarketStats:
    """Counts, median and average price and median price per sq ft of ``queryset``.

    The median is the middle value, or the mean of the two middle values
    (percentile_cont(0.5) on PostgreSQL; the middle rows of the database's
    sort elsewhere). Price per square foot counts only listings with a living
    area. Amounts are rounded to the cent; ``by_status`` and
    ``by_property_type`` name every choice, with 0 for those absent.
    """
    queryset = queryset.order_by()
    # One query for every count: a conditional count per status and per type.
    totals = queryset.aggregate(
        count=Count("id"),
        with_area=Count("living_area"),
        price_sum=Sum("price"),
        **{f"status_{s}": Count("id", filter=Q(status=s)) for s in STATUSES},
        **{f"type_{t}": Count("id", filter=Q(property_type=t)) for t in PROPERTY_TYPES},
    )
    count = totals["count"]
    stats = MarketStats(
        count=count,
        by_status={s: totals[f"status_{s}"] for s in STATUSES},
        by_property_type={t: totals[f"type_{t}"] for t in PROPERTY_TYPES},
    )
    if count == 0:
        return stats
    if connections[queryset.db].vendor == "postgresql":
        median_price, median_per_sqft = _medians_postgresql(queryset)
    else:
        median_price, median_per_sqft = _medians_exact(
            queryset, count=count, with_area=totals["with_area"]
        )
    stats.median_price = to_cents(median_price)
    stats.median_price_per_sqft = to_cents(median_per_sqft)
    stats.average_price = to_cents(Decimal(totals["price_sum"]) / count)
    return stats
