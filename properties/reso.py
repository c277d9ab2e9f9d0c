"""The RESO Data Dictionary shape of a listing: one mapping for imports, exports and the admin."""

import re

from properties.models import Property

STATUS_TO_RESO = {
    Property.Status.COMING_SOON: "Coming Soon",
    Property.Status.ACTIVE: "Active",
    Property.Status.PENDING: "Pending",
    Property.Status.SOLD: "Closed",
    Property.Status.WITHDRAWN: "Withdrawn",
    Property.Status.EXPIRED: "Expired",
}

# RESO has no industrial class; Hearth's own name keeps exports round-trippable.
TYPE_TO_RESO = {
    Property.PropertyType.RESIDENTIAL: "Residential",
    Property.PropertyType.COMMERCIAL: "Commercial Sale",
    Property.PropertyType.INDUSTRIAL: "Industrial",
    Property.PropertyType.LAND: "Land",
}

# RESO field name -> Property field, in export column order.
RESO_FIELDS = {
    "ListingId": "mls_number",
    "StandardStatus": "status",
    "PropertyType": "property_type",
    "ListPrice": "price",
    "UnparsedAddress": "street_address",
    "UnitNumber": "unit",
    "City": "city",
    "StateOrProvince": "state",
    "PostalCode": "postal_code",
    "Country": "country",
    "Latitude": "latitude",
    "Longitude": "longitude",
    "BedroomsTotal": "bedrooms",
    "BathroomsTotalInteger": "bathrooms",
    "LivingArea": "living_area",
    "LotSizeSquareFeet": "lot_size",
    "YearBuilt": "year_built",
    "PublicRemarks": "description",
    "ListAgentEmail": "listing_agent",
    "ListingContractDate": "listed_at",
    "CloseDate": "sold_at",
    "ClosePrice": "sold_price",
    "ModificationTimestamp": "updated_at",
}

# A leading =, +, -, @, tab or carriage return makes a spreadsheet run a cell as a
# formula (OWASP CSV injection); csv_safe prefixes such cells with an apostrophe.
# Values that already look quoted ("'=x") get one more, so csv_unquote, which strips
# exactly one, is an exact inverse.
_NEEDS_QUOTE = re.compile(r"^'*[=+\-@\t\r]")
_QUOTED_FORMULA = re.compile(r"^'+[=+\-@\t\r]")


def listing_to_reso(listing: Property) -> dict:
    """A listing as a RESO record of plain JSON values (strings, numbers, None)."""
    record = {}
    for reso_name, field in RESO_FIELDS.items():
        value = getattr(listing, field)
        if field == "status":
            value = STATUS_TO_RESO[value]
        elif field == "property_type":
            value = TYPE_TO_RESO[value]
        elif field == "listing_agent":
            value = value.email if value else None
        elif field in {"price", "sold_price", "bathrooms"} and value is not None:
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        record[reso_name] = value
    return record


def csv_safe(value) -> str:
    """A cell value that a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    text = str(value)
    if _NEEDS_QUOTE.match(text) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    # Negative numbers (longitudes) start with "-" but are data, not formulas.
    try:
        float(text)
    except ValueError:
        return False
    return True


# --- The reverse direction: a RESO record from a feed to Hearth values -------------------

# RESO field name -> Property field for reading a feed: the export table read backwards.
# ``ModificationTimestamp`` is Hearth's own bookkeeping (``updated_at``), never imported.
FIELDS_FROM_RESO = {
    reso_name: field for reso_name, field in RESO_FIELDS.items() if field != "updated_at"
}

# Feeds that split the street address send these instead of ``UnparsedAddress``.
STREET_PARTS = ("StreetNumber", "StreetName")


def _enum_key(value: str) -> str:
    # "Coming Soon", "coming_soon" and "COMING-SOON" name the same value.
    return " ".join(value.replace("_", " ").replace("-", " ").lower().split())


# RESO StandardStatus values and Hearth's own, by _enum_key. RESO "Delete" and
# "Incomplete" are not listings a buyer can see, so they stay unknown (a row error).
STATUS_FROM_RESO = {
    **{_enum_key(status.value): status for status in Property.Status},
    **{_enum_key(name): status for status, name in STATUS_TO_RESO.items()},
    "active under contract": Property.Status.PENDING,
    "sold": Property.Status.SOLD,
    "canceled": Property.Status.WITHDRAWN,
    "cancelled": Property.Status.WITHDRAWN,
    "hold": Property.Status.WITHDRAWN,
}

# RESO PropertyType values and Hearth's own. Lease types are refused: Hearth lists
# properties for sale, and a rent is not an asking price.
TYPE_FROM_RESO = {
    **{_enum_key(kind.value): kind for kind in Property.PropertyType},
    **{_enum_key(name): kind for kind, name in TYPE_TO_RESO.items()},
    "residential income": Property.PropertyType.RESIDENTIAL,
    "manufactured in park": Property.PropertyType.RESIDENTIAL,
    "business opportunity": Property.PropertyType.COMMERCIAL,
    "farm": Property.PropertyType.LAND,
}


class UnknownValue(ValueError):
    """A RESO enumeration value Hearth has no equivalent for; ``field`` names the RESO field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def status_from_reso(value: str) -> str:
    try:
        return STATUS_FROM_RESO[_enum_key(value)]
    except KeyError:
        known = ", ".join(STATUS_TO_RESO.values())
        raise UnknownValue(
            "StandardStatus", f"{value!r} is not a listing status Hearth knows (use {known})."
        ) from None


def type_from_reso(value: str) -> str:
    try:
        return TYPE_FROM_RESO[_enum_key(value)]
    except KeyError:
        known = ", ".join(TYPE_TO_RESO.values())
        raise UnknownValue(
            "PropertyType", f"{value!r} is not a property type Hearth lists (use {known})."
        ) from None


def reso_to_listing_data(record: dict) -> dict:
    """Hearth field -> raw value for one RESO record; absent fields stay absent.

    Values are left as the feed sent them (validation is the serializer's job),
    except the enumerations, which are translated here and raise
    ``UnknownValue`` when Hearth has no equivalent.
    """
    data = {}
    for reso_name, field in FIELDS_FROM_RESO.items():
        if reso_name in record:
            data[field] = record[reso_name]
    if not data.get("street_address") and any(part in record for part in STREET_PARTS):
        parts = (record.get(part) for part in STREET_PARTS)
        data["street_address"] = " ".join(str(part).strip() for part in parts if part)
    for field, translate in (("status", status_from_reso), ("property_type", type_from_reso)):
        value = data.get(field)
        if isinstance(value, str) and value.strip():
            data[field] = translate(value)
    return data


def csv_unquote(text: str) -> str:
    """Undo ``csv_safe``: the exact value a CSV cell written by ``csv_safe`` stands for."""
    if text[:1] == "'" and _QUOTED_FORMULA.match(text):
        return text[1:]
    return text
