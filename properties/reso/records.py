"""Listings as RESO records and back: what exports write and imports read."""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from properties.models import Property
from properties.reso import lookups
from properties.reso.fields import PROPERTY_FIELDS

# Export column order: every Property field Hearth serves.
RESO_FIELDS = tuple(reso_field.name for reso_field in PROPERTY_FIELDS)

# DD name -> Hearth field, for the fields imports write.
FIELDS_FROM_RESO = {
    reso_field.name: reso_field.source
    for reso_field in PROPERTY_FIELDS
    if reso_field.importable and reso_field.name != "ListAgentEmail"
}

# Feeds that split the street address send these instead of ``UnparsedAddress``,
# e.g. 3340 | | Colfax | Avenue | S -> "3340 Colfax Avenue S".
STREET_PARTS = ("StreetNumber", "StreetDirPrefix", "StreetName", "StreetSuffix", "StreetDirSuffix")
SQUARE_FEET_PER_ACRE = Decimal("43560")

# Fields imports understand beyond the importable ones: consulted to build a Hearth
# value (street parts, display flags, the key, the agent, lot size in acres) or
# derived by Hearth itself (so never "ignored" when an export is imported again).
READ_FIELDS = {
    "ListAgentEmail",
    "ListingKey",
    "PropertySubType",
    "MlgCanView",
    "BathroomsTotalInteger",
    "LotSizeAcres",
    *STREET_PARTS,
    *(f.name for f in PROPERTY_FIELDS if not f.importable),
}
KNOWN_FIELDS = {name.lower(): name for name in (*FIELDS_FROM_RESO, *READ_FIELDS)}


def listing_to_reso(listing: Property) -> dict:
    """A listing as a RESO record of plain JSON values (strings, numbers, booleans, None).

    Give it listings read with ``Property.objects.with_reso_data()`` (agent and office).
    """
    return {reso_field.name: reso_field.value(listing) for reso_field in PROPERTY_FIELDS}


@dataclass
class ResoRecord:
    """A feed record with its field names in DD spelling, and the names Hearth does not use."""

    fields: dict
    ignored: list[str] = field(default_factory=list)


def record_normalize(record: dict) -> ResoRecord:
    """``record`` with case-insensitive DD names spelt as the DD does.

    Names Hearth does not know are listed in ``ignored`` (as the feed spelt
    them); OData annotations (``@odata.id``) are protocol, not data, and dropped.
    """
    normalized = ResoRecord({})
    for name, value in record.items():
        canonical = KNOWN_FIELDS.get(str(name).strip().lower())
        if canonical is not None:
            normalized.fields.setdefault(canonical, value)
        elif not str(name).startswith("@"):
            normalized.ignored.append(str(name))
    return normalized


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _flag(name: str, value) -> bool | None:
    """A feed's Y/N flag: JSON booleans, or CSV text such as true/false, Y/N, 1/0."""
    if isinstance(value, bool):
        return value
    if _is_blank(value):
        return None
    text = str(value).strip().lower()
    if text in {"true", "t", "y", "yes", "1"}:
        return True
    if text in {"false", "f", "n", "no", "0"}:
        return False
    raise lookups.UnknownValue(name, f"{value!r} is not true or false.")


def _street_address(record: dict) -> str:
    parts = (record.get(part) for part in STREET_PARTS)
    return " ".join(str(part).strip() for part in parts if not _is_blank(part))


def _bathroom_counts(total) -> tuple[int, int] | None:
    # A bare total: an integer is that many full baths; an older Hearth export's
    # "2.5" is two full and one half. Anything else is left for validation.
    try:
        number = Decimal(str(total).strip())
    except InvalidOperation:
        return None
    whole = int(number) if number.is_finite() and number >= 0 else None
    if whole is None or number - whole not in (0, Decimal("0.5")):
        return None
    return whole, int(number != whole)


def reso_to_listing_data(record: dict) -> dict:
    """Hearth field -> raw value for one normalized RESO record; absent fields stay absent.

    Values are left as the feed sent them (validation is the serializer's job),
    except the enumerations and flags, which are translated here and raise
    ``lookups.UnknownValue`` when Hearth has no equivalent.
    """
    data = {}
    for reso_name, hearth_field in FIELDS_FROM_RESO.items():
        if reso_name in record:
            data[hearth_field] = record[reso_name]
    if "ListAgentEmail" in record:
        data["listing_agent"] = record["ListAgentEmail"]
    if not _is_blank(record.get("StreetName")):
        # The parts carry what UnparsedAddress may lack or mix in (suffix, city, state).
        data["street_address"] = _street_address(record)
    if "lot_size" not in data and not _is_blank(record.get("LotSizeAcres")):
        try:
            acres = Decimal(str(record["LotSizeAcres"]).strip())
            data["lot_size"] = (acres * SQUARE_FEET_PER_ACRE).quantize(Decimal("0.01"))
        except InvalidOperation:
            data["lot_size"] = record["LotSizeAcres"]  # the serializer names the problem
    total = record.get("BathroomsTotalInteger")
    counts_given = any(not _is_blank(data.get(f)) for f in ("bathrooms_full", "bathrooms_half"))
    if not counts_given and not _is_blank(total):
        counts = _bathroom_counts(total)
        data["bathrooms_full"], data["bathrooms_half"] = counts or (total, 0)
    status = data.get("status")
    if isinstance(status, str) and status.strip():
        data["status"] = lookups.status_from_dd(status)
    kind = data.get("property_type")
    if isinstance(kind, str) and kind.strip():
        data["property_type"] = lookups.type_from_dd(kind, record.get("PropertySubType"))
    displays = [
        _flag(name, record[name])
        for name in ("InternetEntireListingDisplayYN", "MlgCanView")
        if name in record
    ]
    if displays and any(flag is not None for flag in displays):
        # Either flag false hides the listing: MLS Grid's MlgCanView false means the
        # record must not be shown at all, whatever the other flag says.
        data["internet_display"] = all(flag is not False for flag in displays)
    elif "internet_display" in data:
        del data["internet_display"]  # blank: not given
    return data


def reso_field_for(hearth_field: str) -> str:
    """The DD name a Hearth field is imported from, for error messages."""
    for name, source in FIELDS_FROM_RESO.items():
        if source == hearth_field:
            return name
    return hearth_field


# A leading =, +, -, @, tab or carriage return makes a spreadsheet run a cell as a
# formula (OWASP CSV injection); csv_safe prefixes such cells with an apostrophe.
# Values that already look quoted ("'=x") get one more, so csv_unquote, which strips
# exactly one, is an exact inverse.
_NEEDS_QUOTE = re.compile(r"^'*[=+\-@\t\r]")
_QUOTED_FORMULA = re.compile(r"^'+[=+\-@\t\r]")


def csv_safe(value) -> str:
    """A cell value that a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
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


def csv_unquote(text: str) -> str:
    """Undo ``csv_safe``: the exact value a CSV cell written by ``csv_safe`` stands for."""
    if text[:1] == "'" and _QUOTED_FORMULA.match(text):
        return text[1:]
    return text
