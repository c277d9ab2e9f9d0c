"""Hearth's resources as RESO Data Dictionary 2.0 fields: name, type, where the value comes from.

``PROPERTY_FIELDS``, ``OPEN_HOUSE_FIELDS``, ``OFFICE_FIELDS`` and
``MEMBER_FIELDS`` list, in order, every DD field Hearth serves for that
resource. Exports write ``PROPERTY_FIELDS`` as their columns; imports read
the ones marked ``importable``; the OData layer declares them in
``$metadata`` and filters and sorts on their ``source``.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from properties.reso import lookups

# The types of the DD's SimpleDataType column, with its "Number" split the way the DD
# splits it: a Number with a SugMaxPrecision is a Decimal, without one an Integer.
STRING, INTEGER, DECIMAL, BOOLEAN, DATE, TIMESTAMP = (
    "String", "Integer", "Decimal", "Boolean", "Date", "Timestamp",
)  # fmt: skip

# The Edm type each of those is in OData CSDL.
EDM_TYPES = {
    STRING: "Edm.String",
    INTEGER: "Edm.Int64",
    DECIMAL: "Edm.Decimal",
    BOOLEAN: "Edm.Boolean",
    DATE: "Edm.Date",
    TIMESTAMP: "Edm.DateTimeOffset",
}


@dataclass(frozen=True)
class ResoField:
    """One DD field of a resource as Hearth serves it.

    * ``name``: the DD StandardName.
    * ``type``: one of ``STRING``, ``INTEGER``, ``DECIMAL``, ``BOOLEAN``, ``DATE``,
      ``TIMESTAMP``; ``EDM_TYPES[type]`` is its CSDL type.
    * ``source``: the ORM path of the stored value it is read from (for ``$filter``
      and ``$orderby``), or None when the value is computed and cannot be queried.
      A lookup's stored value is Hearth's own (``sold``); translate DD values
      with ``lookups.hearth_values``. ``ListingKey`` and the other keys are ids
      stored as integers and served as text.
    * ``lookup``: the DD LookupName whose values the field takes, or None. The
      values of those in ``lookups.LOOKUPS`` are translated; the others
      (``StateOrProvince``, ``Country``) are stored as the DD spells them.
    * ``max_length`` (strings), ``precision``/``scale`` (decimals): the DD's
      suggested sizes, for CSDL's ``MaxLength``, ``Precision`` and ``Scale``.
    * ``importable``: ``import_listings`` writes it to ``source``.
    * ``read``: how to get the Python value from an object when it is not
      just ``source`` (computed fields, translated lookups).
    """

    name: str
    type: str
    source: str | None = None
    lookup: str | None = None
    max_length: int | None = None
    precision: int | None = None
    scale: int | None = None
    importable: bool = False
    read: Callable | None = None

    @property
    def edm_type(self) -> str:
        return EDM_TYPES[self.type]

    def python_value(self, obj):
        """The field's value for ``obj`` as a Python object (Decimal, date, str, …)."""
        if self.read is not None:
            return self.read(obj)
        value = obj
        for part in self.source.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value

    def value(self, obj):
        """The field's value for ``obj`` as JSON: numbers as numbers, dates as ISO 8601 text."""
        return json_value(self.type, self.python_value(obj))


def json_value(kind: str, value):
    """A Python value of a DD type as plain JSON (str, int, float, bool or None)."""
    if value is None:
        return None
    if kind == INTEGER:
        return int(value)
    if kind == DECIMAL:
        if isinstance(value, float):
            return value
        number = Decimal(value)
        # 500000 rather than 500000.0: the same number, and what people type.
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == BOOLEAN:
        return bool(value)
    if kind == TIMESTAMP:
        return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    if kind == DATE:
        return value.isoformat()
    return str(value)


def _key(obj) -> str | None:
    return None if obj is None or obj.pk is None else str(obj.pk)


def _agent(listing):
    return listing.listing_agent


def _office(listing):
    agent = listing.listing_agent
    return agent.office if agent is not None and agent.office_id else None


def _bathrooms_total_integer(listing):
    # The DD's "simple sum of the number of bathrooms": 2 full + 1 half is 3, not 2.5.
    full, half = listing.bathrooms_full, listing.bathrooms_half
    return None if full is None and half is None else (full or 0) + (half or 0)


def _field(name, kind, source=None, **options) -> ResoField:
    return ResoField(name, kind, source, **options)


def _in(name, kind, source, **options) -> ResoField:
    return ResoField(name, kind, source, importable=True, **options)


PROPERTY_FIELDS: tuple[ResoField, ...] = (
    _field("ListingKey", STRING, "id", max_length=255, read=_key),
    _in("ListingId", STRING, "mls_number", max_length=255),
    _in(
        "StandardStatus",
        STRING,
        "status",
        lookup="StandardStatus",
        max_length=25,
        read=lambda listing: lookups.STATUS_TO_DD[listing.status],
    ),
    _in(
        "PropertyType",
        STRING,
        "property_type",
        lookup="PropertyType",
        max_length=50,
        read=lambda listing: lookups.TYPE_TO_DD[listing.property_type][0],
    ),
    _field(
        "PropertySubType",
        STRING,
        "property_type",
        lookup="PropertySubType",
        max_length=50,
        read=lambda listing: lookups.TYPE_TO_DD[listing.property_type][1],
    ),
    _in("ListPrice", DECIMAL, "price", precision=14, scale=2),
    _in("OriginalListPrice", DECIMAL, "original_list_price", precision=14, scale=2),
    _in("UnparsedAddress", STRING, "street_address", max_length=255),
    _in("UnitNumber", STRING, "unit", max_length=25),
    _in("City", STRING, "city", lookup="City", max_length=50),
    _in("StateOrProvince", STRING, "state", lookup="StateOrProvince", max_length=2),
    _in("PostalCode", STRING, "postal_code", max_length=10),
    _in("Country", STRING, "country", lookup="Country", max_length=2),
    _in("Latitude", DECIMAL, "latitude", precision=12, scale=8),
    _in("Longitude", DECIMAL, "longitude", precision=12, scale=8),
    _in("BedroomsTotal", INTEGER, "bedrooms"),
    _field("BathroomsTotalInteger", INTEGER, None, read=_bathrooms_total_integer),
    _in("BathroomsFull", INTEGER, "bathrooms_full"),
    _in("BathroomsHalf", INTEGER, "bathrooms_half"),
    _in("LivingArea", DECIMAL, "living_area", precision=14, scale=2),
    _in("LotSizeSquareFeet", DECIMAL, "lot_size", precision=14, scale=2),
    _in("YearBuilt", INTEGER, "year_built"),
    _in("PublicRemarks", STRING, "description", max_length=4000),
    _field(
        "ListAgentKey", STRING, "listing_agent_id", max_length=255, read=lambda x: _key(_agent(x))
    ),
    _field(
        "ListAgentFullName",
        STRING,
        None,
        max_length=150,
        read=lambda listing: _agent(listing) and _agent(listing).display_name,
    ),
    _in("ListAgentEmail", STRING, "listing_agent__email", max_length=80),
    _field(
        "ListOfficeKey",
        STRING,
        "listing_agent__office_id",
        max_length=255,
        read=lambda listing: _key(_office(listing)),
    ),
    _field("ListOfficeName", STRING, "listing_agent__office__name", max_length=255),
    _in("ListingContractDate", DATE, "listed_at"),
    _in("CloseDate", DATE, "sold_at"),
    _in("ClosePrice", DECIMAL, "sold_price", precision=14, scale=2),
    _field("DaysOnMarket", INTEGER, None, read=lambda listing: listing.days_on_market),
    _in("InternetEntireListingDisplayYN", BOOLEAN, "internet_display"),
    _in("OriginatingSystemName", STRING, "originating_system", max_length=255),
    _in("StatusChangeTimestamp", TIMESTAMP, "status_changed_at"),
    _in("PriceChangeTimestamp", TIMESTAMP, "price_changed_at"),
    _field("PhotosChangeTimestamp", TIMESTAMP, "photos_changed_at"),
    _field("PhotosCount", INTEGER, "photo_total"),
    _field("OriginalEntryTimestamp", TIMESTAMP, "created_at"),
    _field("ModificationTimestamp", TIMESTAMP, "updated_at"),
)

OPEN_HOUSE_FIELDS: tuple[ResoField, ...] = (
    _field("OpenHouseKey", STRING, "id", max_length=255, read=_key),
    _field(
        "ListingKey", STRING, "property_id", max_length=255, read=lambda oh: str(oh.property_id)
    ),
    _field("ListingId", STRING, "property__mls_number", max_length=255),
    _field("OpenHouseDate", DATE, "date"),
    # Instants in the listing's time zone (OpenHouse.starts_at); stored as local wall-clock times.
    _field("OpenHouseStartTime", TIMESTAMP, None, read=lambda oh: oh.starts_at()),
    _field("OpenHouseEndTime", TIMESTAMP, None, read=lambda oh: oh.ends_at()),
    _field(
        "OpenHouseType",
        STRING,
        "type",
        lookup="OpenHouseType",
        max_length=25,
        read=lambda oh: lookups.OPEN_HOUSE_TYPE_TO_DD[oh.type],
    ),
    _field(
        "OpenHouseStatus",
        STRING,
        "status",
        lookup="OpenHouseStatus",
        max_length=25,
        read=lambda oh: lookups.OPEN_HOUSE_STATUS_TO_DD[oh.status],
    ),
    _field("OpenHouseRemarks", STRING, "remarks", max_length=500),
    _field("OriginalEntryTimestamp", TIMESTAMP, "created_at"),
    _field("ModificationTimestamp", TIMESTAMP, "updated_at"),
)

OFFICE_FIELDS: tuple[ResoField, ...] = (
    _field("OfficeKey", STRING, "id", max_length=255, read=_key),
    _field("OfficeName", STRING, "name", max_length=255),
    _field("OfficePhone", STRING, "phone", max_length=16),
    _field("OfficeEmail", STRING, "email", max_length=80),
    _field("OfficeAddress1", STRING, "street_address", max_length=50),
    _field("OfficeCity", STRING, "city", max_length=50),
    _field("OfficeStateOrProvince", STRING, "state", lookup="StateOrProvince", max_length=2),
    _field("OfficePostalCode", STRING, "postal_code", max_length=10),
    _field("OfficeCountry", STRING, "country", lookup="Country", max_length=2),
    _field("OriginalEntryTimestamp", TIMESTAMP, "created_at"),
    _field("ModificationTimestamp", TIMESTAMP, "updated_at"),
)

# Agents (users with role agent). Users have no modification time yet: the OData layer
# adds ModificationTimestamp when it gives users one.
MEMBER_FIELDS: tuple[ResoField, ...] = (
    _field("MemberKey", STRING, "id", max_length=255, read=_key),
    _field("MemberFirstName", STRING, "first_name", max_length=50),
    _field("MemberLastName", STRING, "last_name", max_length=50),
    _field("MemberFullName", STRING, None, max_length=150, read=lambda user: user.display_name),
    _field("MemberEmail", STRING, "email", max_length=80),
    _field("MemberPreferredPhone", STRING, "phone", max_length=16),
    _field("MemberStateLicense", STRING, "license_number", max_length=50),
    _field("OfficeKey", STRING, "office_id", max_length=255, read=lambda user: _key(user.office)),
    _field("OfficeName", STRING, "office__name", max_length=255),
    _field("OriginalEntryTimestamp", TIMESTAMP, "date_joined"),
)

PROPERTY_FIELDS_BY_NAME = {field.name: field for field in PROPERTY_FIELDS}
