"""The Lookup resource: every lookup value the served fields use, from their definitions."""

import re

from django.db import transaction
from django.utils import timezone

from reso.fields import EDM_STRING, EDM_TIMESTAMP, Field
from reso.models import Lookup
from reso.resources import RESOURCES, Resource


def declared_lookups() -> list[tuple[str, str]]:
    """(LookupName, LookupValue) for every lookup value a served field can hold."""
    pairs = []
    for resource in RESOURCES.values():
        for dd_field in resource.fields:
            if dd_field.lookup_name and dd_field.lookup:
                pairs += [(dd_field.lookup_name, value) for value in dd_field.lookup.values()]
    return sorted(set(pairs))


def _legacy_odata_value(value: str) -> str:
    # The enum member name older OData clients used: the value without spaces or punctuation.
    return re.sub(r"[^A-Za-z0-9_]", "", value)


def lookups_sync(*, using: str = "default") -> None:
    """Make the Lookup table exactly the declared lookups (runs after every migrate)."""
    wanted = {f"{name}:{value}": (name, value) for name, value in declared_lookups()}
    with transaction.atomic(using=using):
        _sync(Lookup.objects.using(using), wanted)


def _sync(lookups, wanted) -> None:
    lookups.exclude(lookup_key__in=wanted).delete()
    present = set(lookups.values_list("lookup_key", flat=True))
    now = timezone.now()
    lookups.bulk_create(
        Lookup(
            lookup_key=key,
            lookup_name=name,
            lookup_value=value,
            standard_lookup_value=value,
            legacy_odata_value=_legacy_odata_value(value),
            modified_at=now,
        )
        for key, (name, value) in wanted.items()
        if key not in present
    )


LOOKUP = Resource(
    name="Lookup",
    key="LookupKey",
    fields=(
        Field("LookupKey", EDM_STRING, source="lookup_key", max_length=255, nullable=False),
        Field("LookupName", EDM_STRING, source="lookup_name", max_length=64, nullable=False),
        Field("LookupValue", EDM_STRING, source="lookup_value", max_length=255, nullable=False),
        Field("StandardLookupValue", EDM_STRING, source="standard_lookup_value", max_length=255),
        Field("LegacyODataValue", EDM_STRING, source="legacy_odata_value", max_length=255),
        Field("ModificationTimestamp", EDM_TIMESTAMP, source="modified_at", nullable=False),
    ),
    queryset=lambda user: Lookup.objects.all(),
    timestamp="ModificationTimestamp",
)
