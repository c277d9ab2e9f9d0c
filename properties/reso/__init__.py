"""THE mapping between Hearth and the RESO Data Dictionary 2.0: imports, exports and OData use it.

Nothing else in Hearth spells a DD field name or a DD lookup value. The
package has three parts:

``properties.reso.fields`` — the resources as DD fields.
    ``PROPERTY_FIELDS``, ``OPEN_HOUSE_FIELDS``, ``OFFICE_FIELDS``,
    ``MEMBER_FIELDS``: tuples of ``ResoField`` in serving order. A field has
    ``name`` (DD StandardName), ``type`` (``STRING``, ``INTEGER``, ``DECIMAL``,
    ``BOOLEAN``, ``DATE``, ``TIMESTAMP``; ``edm_type`` gives the CSDL type),
    ``source`` (the ORM path to filter and sort on; None when computed),
    ``lookup`` (DD LookupName or None), ``max_length``/``precision``/``scale``
    (the DD's suggested sizes, for ``$metadata``), ``importable``, and
    ``value(obj)`` (the JSON value: numbers as numbers, Timestamps as
    ISO 8601 UTC with ``Z``, Dates as ``YYYY-MM-DD``, lookups in DD display
    form). Build ``$metadata`` and the OData payloads from these tuples and they
    cannot drift from exports. Read listings with
    ``Property.objects.with_reso_data()`` (agent and office joined) so
    ``value()`` costs no query per row.

``properties.reso.lookups`` — the DD lookup values and Hearth's enumerations.
    ``LOOKUPS[name]`` lists the ``LookupValue(display, member)`` pairs of the
    lookups Hearth translates (StandardStatus, PropertyType, PropertySubType,
    OpenHouseType, OpenHouseStatus), for the Lookup resource or CSDL enums.
    ``STATUS_TO_DD``, ``TYPE_TO_DD`` (type, subtype), ``OPEN_HOUSE_*_TO_DD`` map
    Hearth values to DD display values; ``status_from_dd``/``type_from_dd``
    read a DD value in either spelling (display "Active Under Contract" or
    member ``ActiveUnderContract``, any case); ``hearth_values(field, value)``
    gives the stored Hearth values a DD value stands for (``$filter``).
    Hearth's "industrial" is DD ``PropertyType`` Commercial Sale with
    ``PropertySubType`` Industrial, and reads back as industrial.

``properties.reso.records`` — listings as flat records, for files.
    ``listing_to_reso(listing)`` (every ``PROPERTY_FIELDS`` value, in order),
    ``record_normalize(record)`` (case-insensitive names; unknown ones listed),
    ``reso_to_listing_data(record)`` (Hearth field values for the importer:
    street parts assembled, display flags honoured, enumerations
    translated), and the CSV cell helpers ``csv_safe``/``csv_unquote``.

Display flags: ``InternetEntireListingDisplayYN`` false, or MLS Grid's
``MlgCanView`` false, store ``internet_display = False``, which keeps the
listing out of every public read (``PropertyQuerySet.visible_to``), OData included.
"""

from properties.reso.fields import (
    MEMBER_FIELDS,
    OFFICE_FIELDS,
    OPEN_HOUSE_FIELDS,
    PROPERTY_FIELDS,
    PROPERTY_FIELDS_BY_NAME,
    ResoField,
)
from properties.reso.lookups import LOOKUPS, LookupValue, UnknownValue, hearth_values
from properties.reso.records import (
    FIELDS_FROM_RESO,
    RESO_FIELDS,
    csv_safe,
    csv_unquote,
    listing_to_reso,
    record_normalize,
    reso_field_for,
    reso_to_listing_data,
)

__all__ = [
    "FIELDS_FROM_RESO",
    "LOOKUPS",
    "MEMBER_FIELDS",
    "OFFICE_FIELDS",
    "OPEN_HOUSE_FIELDS",
    "PROPERTY_FIELDS",
    "PROPERTY_FIELDS_BY_NAME",
    "RESO_FIELDS",
    "LookupValue",
    "ResoField",
    "UnknownValue",
    "csv_safe",
    "csv_unquote",
    "hearth_values",
    "listing_to_reso",
    "record_normalize",
    "reso_field_for",
    "reso_to_listing_data",
]
