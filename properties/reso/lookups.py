"""RESO Data Dictionary 2.0 lookup values Hearth uses, and Hearth's enumerations mapped onto them.

Each DD lookup value has two spellings: the display form
(``StandardLookupValue``, "Active Under Contract") and the member name
(``LegacyODataValue``, ``ActiveUnderContract``). Hearth writes the display
form and reads either, in any case, with or without spaces, hyphens or
underscores. The values are copied from RESO's ``dd-2.0-lookups.csv``;
``tests/properties/test_reso_mapping.py`` checks them against it.
"""

import re
from dataclasses import dataclass

from properties.models import OpenHouse, Property


@dataclass(frozen=True)
class LookupValue:
    """One DD lookup value: its display form and its OData member name."""

    display: str
    member: str


def _values(*pairs: str) -> tuple[LookupValue, ...]:
    # "Active Under Contract|ActiveUnderContract"; a value with no "|" is spelt the same both ways.
    return tuple(LookupValue(*(pair.split("|") if "|" in pair else (pair, pair))) for pair in pairs)


LOOKUPS: dict[str, tuple[LookupValue, ...]] = {
    "StandardStatus": _values(
        "Active",
        "Active Under Contract|ActiveUnderContract",
        "Canceled",
        "Closed",
        "Coming Soon|ComingSoon",
        "Delete",
        "Expired",
        "Hold",
        "Incomplete",
        "Pending",
        "Withdrawn",
    ),
    "PropertyType": _values(
        "Business Opportunity|BusinessOpportunity",
        "Commercial Lease|CommercialLease",
        "Commercial Sale|CommercialSale",
        "Farm",
        "Land",
        "Manufactured In Park|ManufacturedInPark",
        "Residential",
        "Residential Income|ResidentialIncome",
        "Residential Lease|ResidentialLease",
    ),
    "PropertySubType": _values(
        "Agriculture",
        "Apartment",
        "Boat Slip|BoatSlip",
        "Business",
        "Cabin",
        "Condominium",
        "Co-Ownership|CoOwnership",
        "Deeded Parking|DeededParking",
        "Duplex",
        "Farm",
        "Hotel/Motel|HotelMotel",
        "Industrial",
        "Manufactured Home|ManufacturedHome",
        "Manufactured On Land|ManufacturedOnLand",
        "Mixed Use|MixedUse",
        "Mobile Home|MobileHome",
        "Mobile Home Park|MobileHomePark",
        "Multi Family|MultiFamily",
        "Office",
        "Own Your Own|OwnYourOwn",
        "Quadruplex",
        "Ranch",
        "Retail",
        "Single Family Residence|SingleFamilyResidence",
        "Stock Cooperative|StockCooperative",
        "Tenancy in Common|TenancyInCommon",
        "Timeshare",
        "Townhouse",
        "Triplex",
        "Unimproved Land|UnimprovedLand",
        "Warehouse",
    ),  # fmt: skip
    "OpenHouseType": _values(
        "Broker",
        "Livestream Broker|LivestreamBroker",
        "Livestream Public|LivestreamPublic",
        "Office",
        "Public",
    ),
    "OpenHouseStatus": _values("Active", "Canceled", "Ended"),
}


def enum_key(value: str) -> str:
    """The spelling-free form of a lookup value: "Coming Soon", "ComingSoon", "coming_soon"."""
    return re.sub(r"[^0-9a-z]", "", value.lower())


def lookup_value(lookup: str, value: str) -> LookupValue | None:
    """The DD value of ``lookup`` that ``value`` spells (either form, any case), or None."""
    key = enum_key(value)
    for candidate in LOOKUPS[lookup]:
        if enum_key(candidate.member) == key:
            return candidate
    return None


def _display(lookup: str, member: str) -> str:
    found = lookup_value(lookup, member)
    if found is None:  # a typo here would otherwise export a non-DD value
        raise LookupError(f"{member} is not a {lookup} value of RESO DD 2.0")
    return found.display


# --- Hearth -> DD: what exports and the OData layer write -------------------------------

STATUS_TO_DD = {
    Property.Status.COMING_SOON: _display("StandardStatus", "ComingSoon"),
    Property.Status.ACTIVE: _display("StandardStatus", "Active"),
    Property.Status.PENDING: _display("StandardStatus", "Pending"),
    Property.Status.SOLD: _display("StandardStatus", "Closed"),
    Property.Status.WITHDRAWN: _display("StandardStatus", "Withdrawn"),
    Property.Status.EXPIRED: _display("StandardStatus", "Expired"),
}

# DD has no industrial PropertyType: an industrial listing is a Commercial Sale whose
# PropertySubType is Industrial (a DD value), which reads back as industrial exactly.
TYPE_TO_DD = {
    Property.PropertyType.RESIDENTIAL: (_display("PropertyType", "Residential"), None),
    Property.PropertyType.COMMERCIAL: (_display("PropertyType", "CommercialSale"), None),
    Property.PropertyType.INDUSTRIAL: (
        _display("PropertyType", "CommercialSale"),
        _display("PropertySubType", "Industrial"),
    ),
    Property.PropertyType.LAND: (_display("PropertyType", "Land"), None),
}

OPEN_HOUSE_TYPE_TO_DD = {
    OpenHouse.Type.PUBLIC: _display("OpenHouseType", "Public"),
    OpenHouse.Type.BROKER: _display("OpenHouseType", "Broker"),
}
OPEN_HOUSE_STATUS_TO_DD = {
    OpenHouse.Status.ACTIVE: _display("OpenHouseStatus", "Active"),
    OpenHouse.Status.CANCELED: _display("OpenHouseStatus", "Canceled"),
    OpenHouse.Status.ENDED: _display("OpenHouseStatus", "Ended"),
}

# --- DD -> Hearth: what imports read ---------------------------------------------------

# Every DD StandardStatus a listing for sale can have. "Delete" and "Incomplete" are
# not listings a buyer could ever see, so they stay unknown (a row error).
STATUS_FROM_DD = {
    "Active": Property.Status.ACTIVE,
    "ActiveUnderContract": Property.Status.PENDING,
    "Pending": Property.Status.PENDING,
    "Closed": Property.Status.SOLD,
    "ComingSoon": Property.Status.COMING_SOON,
    "Expired": Property.Status.EXPIRED,
    "Withdrawn": Property.Status.WITHDRAWN,
    "Canceled": Property.Status.WITHDRAWN,
    "Hold": Property.Status.WITHDRAWN,
}

# Leases are refused: Hearth lists properties for sale, and a rent is not an asking price.
TYPE_FROM_DD = {
    "Residential": Property.PropertyType.RESIDENTIAL,
    "ResidentialIncome": Property.PropertyType.RESIDENTIAL,
    "ManufacturedInPark": Property.PropertyType.RESIDENTIAL,
    "CommercialSale": Property.PropertyType.COMMERCIAL,
    "BusinessOpportunity": Property.PropertyType.COMMERCIAL,
    "Farm": Property.PropertyType.LAND,
    "Land": Property.PropertyType.LAND,
}
INDUSTRIAL_SUBTYPE = "Industrial"

_STATUS_BY_KEY = {
    **{enum_key(status.value): status for status in Property.Status},  # Hearth's own names
    "sold": Property.Status.SOLD,
    "cancelled": Property.Status.WITHDRAWN,  # British spelling, common in feeds
    **{enum_key(member): status for member, status in STATUS_FROM_DD.items()},
}
_TYPE_BY_KEY = {
    **{enum_key(kind.value): kind for kind in Property.PropertyType},
    **{enum_key(member): kind for member, kind in TYPE_FROM_DD.items()},
}


class UnknownValue(ValueError):
    """A DD enumeration value Hearth has no equivalent for; ``field`` names the DD field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def status_from_dd(value: str) -> str:
    """Hearth's status for a DD ``StandardStatus`` (either spelling) or Hearth's own name."""
    try:
        return _STATUS_BY_KEY[enum_key(value)]
    except KeyError:
        known = ", ".join(_display("StandardStatus", member) for member in STATUS_FROM_DD)
        raise UnknownValue(
            "StandardStatus", f"{value!r} is not a listing status Hearth knows (use {known})."
        ) from None


def type_from_dd(value: str, subtype=None) -> str:
    """Hearth's type for a DD ``PropertyType`` (and ``PropertySubType``) or Hearth's own name."""
    try:
        kind = _TYPE_BY_KEY[enum_key(value)]
    except KeyError:
        known = ", ".join(_display("PropertyType", member) for member in TYPE_FROM_DD)
        raise UnknownValue(
            "PropertyType", f"{value!r} is not a property type Hearth lists (use {known})."
        ) from None
    if (
        kind == Property.PropertyType.COMMERCIAL
        and isinstance(subtype, str)
        and enum_key(subtype) == enum_key(INDUSTRIAL_SUBTYPE)
    ):
        return Property.PropertyType.INDUSTRIAL
    return kind


def hearth_values(field: str, value: str) -> list[str]:
    """Hearth's stored values a DD lookup value stands for, e.g. to translate a ``$filter``.

    ``hearth_values("StandardStatus", "Closed") == ["sold"]``;
    ``hearth_values("PropertyType", "CommercialSale") == ["commercial", "industrial"]``;
    ``hearth_values("PropertySubType", "Industrial") == ["industrial"]``. A value
    Hearth never writes answers ``[]`` (it matches nothing). Either spelling is read.
    """
    key = enum_key(value)
    table = {
        "StandardStatus": {s: STATUS_TO_DD[s] for s in STATUS_TO_DD},
        "PropertyType": {t: dd for t, (dd, _sub) in TYPE_TO_DD.items()},
        "PropertySubType": {t: sub for t, (_dd, sub) in TYPE_TO_DD.items() if sub},
        "OpenHouseType": OPEN_HOUSE_TYPE_TO_DD,
        "OpenHouseStatus": OPEN_HOUSE_STATUS_TO_DD,
    }[field]
    return [hearth for hearth, dd in table.items() if enum_key(dd) == key]
