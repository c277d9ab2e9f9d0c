"""The RESO Data Dictionary shape of a listing: one mapping for imports, exports and the admin."""

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

# Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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
    if text.startswith(_FORMULA_PREFIXES) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    # Negative numbers (longitudes) start with "-" but are data, not formulas.
    try:
        float(text)
    except ValueError:
        return False
    return True
