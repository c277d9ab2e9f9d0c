"""The benchmark's reference: Hearth's public listing reads in FastAPI + SQLAlchemy 2 async.

Not part of Hearth. It serves the list, filtered list, deep page and detail
endpoints for an anonymous caller from Hearth's own tables, with byte-for-byte
the JSON Hearth renders (bench/api/correctness.py checks that before anything
is measured).
It is written the way the framework's documentation recommends: one pooled
async engine per process, SQLAlchemy Core statements, Pydantic response models
(which FastAPI serialises straight to JSON bytes in pydantic-core), uvicorn
with uvloop and httptools, one worker per core.

    DATABASE_URL=postgresql+asyncpg://root@127.0.0.1:5432/hearth_bench_api \\
        .venv/bin/uvicorn app:app --workers 2 --no-access-log --port 18200
"""

import datetime
import math
import os
import sys
from decimal import Decimal
from pathlib import Path
from typing import Annotated
from urllib import parse

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    and_,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

# The listing's time zone is a table of states, not a framework feature: read Hearth's.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from properties.timezones import listing_time_zone_name  # noqa: E402

DATABASE_URL = os.environ["DATABASE_URL"]
# Hearth's gunicorn holds at most workers x DATABASE_POOL_MAX_SIZE = 4 x 4
# connections; two uvicorn workers with 8 each hold the same 16.
POOL_SIZE = int(os.environ.get("REFERENCE_POOL_SIZE", 8))
PAGE_SIZE, MAX_PAGE_SIZE = 20, 100
PUBLIC_STATUSES = ("coming_soon", "active", "pending", "sold")
STATUSES = (*PUBLIC_STATUSES, "withdrawn", "expired")
PROPERTY_TYPES = ("residential", "commercial", "industrial", "land")
ORDERING_FIELDS = ("price", "created_at", "updated_at", "listed_at", "living_area", "bedrooms")
MEDIA_URL = "/media/"
URI_SAFE = "/~!*()'"  # Django's filepath_to_uri keeps these unquoted

engine = create_async_engine(DATABASE_URL, pool_size=POOL_SIZE, max_overflow=0, pool_pre_ping=False)
metadata = MetaData()

users = Table(
    "users_user",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("username", String),
    Column("first_name", String),
    Column("last_name", String),
    Column("email", String),
    Column("phone", String),
)
listings = Table(
    "properties_property",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("mls_number", String),
    Column("status", String),
    Column("property_type", String),
    Column("street_address", String),
    Column("unit", String),
    Column("city", String),
    Column("state", String),
    Column("postal_code", String),
    Column("country", String),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("price", Numeric(14, 2, asdecimal=True)),
    Column("bedrooms", Integer),
    Column("bathrooms", Numeric(4, 1, asdecimal=True)),
    Column("bathrooms_full", Integer),
    Column("bathrooms_half", Integer),
    Column("living_area", Integer),
    Column("lot_size", Numeric(16, 2, asdecimal=True)),
    Column("year_built", Integer),
    Column("description", Text),
    Column("listing_agent_id", BigInteger),
    Column("listed_at", Date),
    Column("sold_at", Date),
    Column("sold_price", Numeric(14, 2, asdecimal=True)),
    Column("original_list_price", Numeric(14, 2, asdecimal=True)),
    Column("status_changed_at", DateTime(timezone=True)),
    Column("price_changed_at", DateTime(timezone=True)),
    Column("photos_changed_at", DateTime(timezone=True)),
    Column("internet_display", Boolean),
    Column("originating_system", String),
    Column("created_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
    # Kept by Hearth's database triggers (its migration 0004); read here as Hearth reads them.
    Column("photo_total", Integer),
    Column("primary_photo_image", Text),
)


class ListingAgent(BaseModel):
    id: int
    name: str
    email: str
    phone: str


class Listing(BaseModel):
    id: int
    url: str
    mls_number: str | None
    status: str
    property_type: str
    street_address: str
    unit: str
    city: str
    state: str
    postal_code: str
    country: str
    latitude: float | None
    longitude: float | None
    price: Decimal
    bedrooms: int | None
    bathrooms: Decimal | None
    bathrooms_full: int | None
    bathrooms_half: int | None
    living_area: int | None
    lot_size: Decimal | None
    year_built: int | None
    description: str
    listing_agent: ListingAgent | None
    listed_at: datetime.date
    sold_at: datetime.date | None
    sold_price: Decimal | None
    original_list_price: Decimal | None
    days_on_market: int | None
    status_changed_at: datetime.datetime | None
    price_changed_at: datetime.datetime | None
    photos_changed_at: datetime.datetime | None
    internet_display: bool
    originating_system: str
    time_zone: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    primary_photo: str | None
    photo_count: int
    distance_km: float | None


class ListingPage(BaseModel):
    count: int
    next: str | None
    previous: str | None
    results: list[Listing]


class NotFound(Exception):
    def __init__(self, detail):
        self.detail = detail


class BadRequest(Exception):
    def __init__(self, errors):
        self.errors = errors


# No custom response class: with a response model, FastAPI serialises straight to
# JSON bytes in pydantic-core (faster than orjson on a dict, which it now deprecates).
app = FastAPI(title="Hearth reference")


@app.exception_handler(NotFound)
async def not_found(request, exc):
    return JSONResponse({"detail": exc.detail}, status_code=404)


@app.exception_handler(BadRequest)
async def bad_request(request, exc):
    return JSONResponse(exc.errors, status_code=400)


async def connection():
    async with engine.connect() as conn:
        yield conn


Connection = Annotated[AsyncConnection, Depends(connection)]

# The listing shape in one statement: the listing row, its photo summary
# columns included, and the agent joined (what Hearth's with_list_data() reads).
PHOTO_SUMMARY = ("photo_total", "primary_photo_image")
LISTING_COLUMNS = [c for c in listings.c if c.name not in ("listing_agent_id", *PHOTO_SUMMARY)]
LISTING_SELECT = select(
    *LISTING_COLUMNS,
    users.c.id.label("agent_id"),
    users.c.username.label("agent_username"),
    users.c.first_name.label("agent_first_name"),
    users.c.last_name.label("agent_last_name"),
    users.c.email.label("agent_email"),
    users.c.phone.label("agent_phone"),
    *(listings.c[name] for name in PHOTO_SUMMARY),
).select_from(listings.outerjoin(users, listings.c.listing_agent_id == users.c.id))
# An anonymous caller's rule: a public status, and published (not hidden by the MLS).
VISIBLE = and_(listings.c.status.in_(PUBLIC_STATUSES), listings.c.internet_display)


def _origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.headers['host']}"


def _listing(row, origin) -> dict:
    data = {c.name: row[c.name] for c in LISTING_COLUMNS}
    data["url"] = f"{origin}/api/properties/{row['id']}/"
    data["listing_agent"] = (
        None
        if row["agent_id"] is None
        else {
            "id": row["agent_id"],
            "name": f"{row['agent_first_name']} {row['agent_last_name']}".strip()
            or row["agent_username"],
            "email": row["agent_email"],
            "phone": row["agent_phone"],
        }
    )
    name = row["primary_photo_image"]
    data["primary_photo"] = (
        f"{origin}{MEDIA_URL}{parse.quote(name, safe=URI_SAFE)}" if name else None
    )
    data["photo_count"] = row["photo_total"]
    data["distance_km"] = None
    data["days_on_market"] = _days_on_market(row)
    data["time_zone"] = listing_time_zone_name(country=row["country"], state=row["state"])
    return data


def _days_on_market(row) -> int | None:
    # Hearth's Property.days_on_market, with Hearth's TIME_ZONE (UTC) for "today".
    listed = row["listed_at"]
    if listed is None:
        return None
    end = datetime.datetime.now(datetime.UTC).date()
    status = row["status"]
    if status == "sold" and row["sold_at"]:
        end = row["sold_at"]
    elif status in ("withdrawn", "expired") and row["status_changed_at"]:
        end = row["status_changed_at"].astimezone(datetime.UTC).date()
    elif status == "coming_soon":
        return 0
    return max(0, (end - listed).days)


def _with_query_param(url, key, value=None):
    """DRF's replace_query_param / remove_query_param: the link's query sorted by key."""
    scheme, netloc, path, query, fragment = parse.urlsplit(url)
    params = parse.parse_qs(query, keep_blank_values=True)
    if value is None:
        params.pop(key, None)
    else:
        params[key] = [str(value)]
    query = parse.urlencode(sorted(params.items()), doseq=True)
    return parse.urlunsplit((scheme, netloc, path, query, fragment))


def _choices(name, raw, allowed):
    values = [v for v in (raw or "").split(",") if v]
    for value in values:
        if value not in allowed:
            raise BadRequest(
                {name: [f"Select a valid choice. {value} is not one of the available choices."]}
            )
    return values


def _ordering(raw):
    if not raw:
        return [listings.c.created_at.desc(), listings.c.id.desc()]
    keys = []
    for part in (p.strip() for p in raw.split(",") if p.strip()):
        name = part.removeprefix("-")
        if name not in ORDERING_FIELDS:
            raise BadRequest(
                {
                    "ordering": [
                        f"Select a valid choice. {part} is not one of the available choices."
                    ]
                }
            )
        column = listings.c[name]
        keys.append(column.desc() if part.startswith("-") else column.asc())
    # A unique tie-breaker running the same way as the first key, as Hearth does.
    keys.append(listings.c.id.desc() if raw.strip().startswith("-") else listings.c.id.asc())
    return keys


@app.get("/api/properties/", response_model=ListingPage)
async def listing_list(
    request: Request,
    conn: Connection,
    page: Annotated[str | None, Query()] = None,
    page_size: Annotated[str | None, Query()] = None,
    status: Annotated[str | None, Query()] = None,
    property_type: Annotated[str | None, Query()] = None,
    price_min: Annotated[Decimal | None, Query(max_digits=14, decimal_places=2)] = None,
    price_max: Annotated[Decimal | None, Query(max_digits=14, decimal_places=2)] = None,
    ordering: Annotated[str | None, Query()] = None,
):
    """Listings an anonymous caller may see, filtered and paginated as Hearth does."""
    conditions = [VISIBLE]
    if statuses := _choices("status", status, STATUSES):
        conditions.append(listings.c.status.in_(statuses))
    if types := _choices("property_type", property_type, PROPERTY_TYPES):
        conditions.append(listings.c.property_type.in_(types))
    if price_min is not None:
        conditions.append(listings.c.price >= price_min)
    if price_max is not None:
        conditions.append(listings.c.price <= price_max)
    where = and_(*conditions)
    order_by = _ordering(ordering)

    size = PAGE_SIZE
    if page_size:
        try:
            size = int(page_size)
        except ValueError:
            size = 0
        if size < 1:
            raise BadRequest({"page_size": ["Enter a positive whole number."]})
        size = min(size, MAX_PAGE_SIZE)
    try:
        number = int(page or 1)
    except ValueError:
        raise NotFound("Invalid page.") from None

    count_query = select(func.count()).select_from(listings).where(where)
    count = (await conn.execute(count_query)).scalar_one()
    pages = max(1, math.ceil(count / size))
    if number < 1 or number > pages:
        raise NotFound("Invalid page.")
    offset = (number - 1) * size
    rows = (
        await conn.execute(
            LISTING_SELECT.where(where)
            .order_by(*order_by)
            .offset(offset)
            .limit(min(size, count - offset))
        )
    ).mappings()

    origin = _origin(request)
    url = str(request.url)
    return {
        "count": count,
        "next": _with_query_param(url, "page", number + 1) if number < pages else None,
        "previous": (
            None
            if number == 1
            else _with_query_param(url, "page", None if number == 2 else number - 1)
        ),
        "results": [_listing(row, origin) for row in rows],
    }


@app.get("/api/properties/{listing_id}/", response_model=Listing)
async def listing_detail(request: Request, conn: Connection, listing_id: str):
    """One listing, if an anonymous caller may see it."""
    try:
        pk = int(listing_id)
    except ValueError:
        raise NotFound("No Property matches the given query.") from None
    row = (
        (await conn.execute(LISTING_SELECT.where(VISIBLE, listings.c.id == pk))).mappings().first()
    )
    if row is None:
        raise NotFound("No Property matches the given query.")
    return _listing(row, _origin(request))
