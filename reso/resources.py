"""The served resources: each DD resource's fields over a Hearth model, in one place.

``$metadata``, ``$filter``/``$orderby``/``$select`` and the records served are
all built from these definitions, and the Property fields' names and
lookups come from Hearth's one DD mapping (``properties.reso``), so the
document and the data cannot disagree.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import CharField, Value
from django.db.models.functions import Ceil, Concat, Trim
from django.urls import reverse

from properties import reso as dd_mapping
from properties.models import Property, PropertyPhoto
from reso.fields import (
    EDM_DATE,
    EDM_DECIMAL,
    EDM_INT,
    EDM_STRING,
    EDM_TIMESTAMP,
    Field,
)
from reso.models import EntityEvent
from users.models import User

ORIGINATING_SYSTEM_NAME = "Hearth"


@dataclass(frozen=True)
class Navigation:
    """A navigation property ($expand): ``prefetch`` or ``select`` is the ORM path to load."""

    name: str
    target: str
    collection: bool
    prefetch: str | None = None
    select: str | None = None


@dataclass(frozen=True)
class Resource:
    """One entity set: its key, its fields, what it expands to and who sees which rows."""

    name: str
    key: str
    fields: tuple[Field, ...]
    queryset: Callable  # (user) -> QuerySet of the rows ``user`` may read
    navigations: tuple[Navigation, ...] = ()
    # The field replication pages by, with the key as tie-breaker (keyset paging).
    timestamp: str | None = None
    key_is_integer: bool = False

    @property
    def by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @property
    def navigation_by_name(self) -> dict[str, Navigation]:
        return {n.name: n for n in self.navigations}


def _viewer(user):
    # An OAuth2 client-credentials token has no user: it reads what the public reads.
    return user if user is not None else AnonymousUser()


def _str_or_none(value):
    return None if value is None else str(value)


# --- Property: names and lookups from properties.reso ---------------------------------

# DD 2.0 types (SimpleDataType, SugMaxLength, SugMaxPrecision) of the mapped fields.
_DD_TYPES = {
    "ListingId": (EDM_STRING, 255, None),
    "ListPrice": (EDM_DECIMAL, 14, 2),
    "UnparsedAddress": (EDM_STRING, 255, None),
    "UnitNumber": (EDM_STRING, 25, None),
    "City": (EDM_STRING, 50, None),
    "StateOrProvince": (EDM_STRING, 2, None),
    "PostalCode": (EDM_STRING, 10, None),
    "Country": (EDM_STRING, 2, None),
    "Latitude": (EDM_DECIMAL, 12, 8),
    "Longitude": (EDM_DECIMAL, 12, 8),
    "BedroomsTotal": (EDM_INT, None, None),
    "LivingArea": (EDM_DECIMAL, 14, 2),
    "LotSizeSquareFeet": (EDM_DECIMAL, 14, 2),
    "YearBuilt": (EDM_INT, None, None),
    "PublicRemarks": (EDM_STRING, 4000, None),
    "ListAgentEmail": (EDM_STRING, 80, None),
    "ListingContractDate": (EDM_DATE, None, None),
    "CloseDate": (EDM_DATE, None, None),
    "ClosePrice": (EDM_DECIMAL, 14, 2),
    "ModificationTimestamp": (EDM_TIMESTAMP, None, None),
}

_LOOKUPS = {
    "StandardStatus": dd_mapping.STATUS_TO_RESO,
    "PropertyType": dd_mapping.TYPE_TO_RESO,
}


def _mapped_property_fields() -> list[Field]:
    fields = []
    for dd_name, hearth_name in dd_mapping.RESO_FIELDS.items():
        if dd_name in _LOOKUPS:
            lookup = {str(k): v for k, v in _LOOKUPS[dd_name].items()}
            fields.append(
                Field(
                    dd_name,
                    EDM_STRING,
                    source=hearth_name,
                    lookup_name=dd_name,
                    lookup=lookup,
                    max_length=50,
                    nullable=False,
                )
            )
            continue
        if dd_name == "BathroomsTotalInteger":
            continue  # served below, as DD defines it
        edm, length, scale = _DD_TYPES[dd_name]
        source = "listing_agent__email" if hearth_name == "listing_agent" else hearth_name
        model_field = Property._meta.get_field(hearth_name)
        fields.append(
            Field(
                dd_name,
                edm,
                source=source,
                max_length=length if edm == EDM_STRING else None,
                precision=length if edm == EDM_DECIMAL else None,
                scale=scale,
                nullable=model_field.null or dd_name == "ListAgentEmail",
            )
        )
    return fields


def _bathrooms_total_integer(listing):
    # DD: the simple count of bathrooms, a half bath counting one (2.5 baths -> 3).
    return None if listing.bathrooms is None else math.ceil(listing.bathrooms)


PROPERTY_FIELDS = (
    Field("ListingKey", EDM_STRING, source="id", read=lambda p: str(p.pk), nullable=False),
    *_mapped_property_fields(),
    Field(
        "BathroomsTotalInteger",
        EDM_INT,
        read=_bathrooms_total_integer,
        expression=Ceil("bathrooms"),
    ),
    Field("OriginalEntryTimestamp", EDM_TIMESTAMP, source="created_at", nullable=False),
    Field("PhotosCount", EDM_INT, source="photo_total", nullable=False),
    Field(
        "ListAgentKey",
        EDM_STRING,
        source="listing_agent_id",
        read=lambda p: _str_or_none(p.listing_agent_id),
    ),
    Field(
        "ListAgentFullName",
        EDM_STRING,
        read=lambda p: p.listing_agent.display_name if p.listing_agent else None,
        expression=Trim(
            Concat(
                "listing_agent__first_name",
                Value(" "),
                "listing_agent__last_name",
                output_field=CharField(),
            )
        ),
        max_length=150,
    ),
    Field(
        "ListOfficeName",
        EDM_STRING,
        read=lambda p: (p.listing_agent.brokerage or None) if p.listing_agent else None,
        source="listing_agent__brokerage",
        max_length=255,
    ),
    Field(
        "OriginatingSystemName",
        EDM_STRING,
        read=lambda p: ORIGINATING_SYSTEM_NAME,
        expression=Value(ORIGINATING_SYSTEM_NAME),
        max_length=255,
        nullable=False,
    ),
)

PROPERTY = Resource(
    name="Property",
    key="ListingKey",
    fields=PROPERTY_FIELDS,
    queryset=lambda user: Property.objects.visible_to(_viewer(user)).select_related(
        "listing_agent"
    ),
    navigations=(
        Navigation("Media", "Media", collection=True, prefetch="photos"),
        Navigation("ListAgent", "Member", collection=False, select="listing_agent"),
    ),
    timestamp="ModificationTimestamp",
)


# --- Member (agents) ------------------------------------------------------------------

MEMBER = Resource(
    name="Member",
    key="MemberKey",
    fields=(
        Field("MemberKey", EDM_STRING, source="id", read=lambda u: str(u.pk), nullable=False),
        Field("MemberMlsId", EDM_STRING, source="username", max_length=25, nullable=False),
        Field("MemberFirstName", EDM_STRING, source="first_name", max_length=50),
        Field("MemberLastName", EDM_STRING, source="last_name", max_length=50),
        Field(
            "MemberFullName",
            EDM_STRING,
            read=lambda u: u.display_name,
            expression=Trim(
                Concat("first_name", Value(" "), "last_name", output_field=CharField())
            ),
            max_length=150,
        ),
        Field("MemberEmail", EDM_STRING, source="email", max_length=80),
        Field("MemberPreferredPhone", EDM_STRING, source="phone", max_length=16),
        Field("MemberStateLicense", EDM_STRING, source="license_number", max_length=50),
        Field("OfficeName", EDM_STRING, source="brokerage", max_length=255),
        Field("OriginalEntryTimestamp", EDM_TIMESTAMP, source="date_joined", nullable=False),
    ),
    # Agents' public profiles are public in the REST API too (users.visible_to).
    queryset=lambda user: User.objects.agents(),
)


# --- Media (listing photos) -----------------------------------------------------------


def _media_url(photo, request):
    return request.build_absolute_uri(photo.image.url) if photo.image else None


MEDIA = Resource(
    name="Media",
    key="MediaKey",
    fields=(
        Field("MediaKey", EDM_STRING, source="id", read=lambda m: str(m.pk), nullable=False),
        Field(
            "ResourceRecordKey",
            EDM_STRING,
            source="property_id",
            read=lambda m: str(m.property_id),
            nullable=False,
        ),
        Field(
            "ResourceName",
            EDM_STRING,
            read=lambda m: "Property",
            expression=Value("Property"),
            max_length=50,
            nullable=False,
        ),
        Field(
            "MediaCategory",
            EDM_STRING,
            read=lambda m: "Photo",
            expression=Value("Photo"),
            lookup_name="MediaCategory",
            lookup={"Photo": "Photo"},
            max_length=50,
            nullable=False,
        ),
        Field("MediaURL", EDM_STRING, absolute_url=_media_url, max_length=8000),
        Field("ShortDescription", EDM_STRING, source="caption", max_length=50),
        Field("Order", EDM_INT, source="position", nullable=False),
        Field("ImageWidth", EDM_INT, source="width"),
        Field("ImageHeight", EDM_INT, source="height"),
        Field("ModificationTimestamp", EDM_TIMESTAMP, source="created_at", nullable=False),
    ),
    queryset=lambda user: PropertyPhoto.objects.filter(
        property__in=Property.objects.visible_to(_viewer(user))
    ),
    timestamp="ModificationTimestamp",
)


def _record_url(event, request):
    path = reverse(
        "reso:entity", kwargs={"resource": event.resource_name, "key": event.resource_record_key}
    )
    return request.build_absolute_uri(path)


# --- EntityEvent ----------------------------------------------------------------------

ENTITY_EVENT = Resource(
    name="EntityEvent",
    key="EntityEventSequence",
    fields=(
        Field("EntityEventSequence", EDM_INT, source="id", nullable=False),
        Field("ResourceName", EDM_STRING, source="resource_name", max_length=50, nullable=False),
        Field(
            "ResourceRecordKey",
            EDM_STRING,
            source="resource_record_key",
            max_length=255,
            nullable=False,
        ),
        Field("ResourceRecordUrl", EDM_STRING, absolute_url=_record_url, max_length=8000),
        Field("ModificationTimestamp", EDM_TIMESTAMP, source="created_at", nullable=False),
    ),
    # Events carry keys only; whether the record may be read is its own resource's rule.
    queryset=lambda user: EntityEvent.objects.all(),
    key_is_integer=True,
)

RESOURCES = {r.name: r for r in (PROPERTY, MEMBER, MEDIA, ENTITY_EVENT)}
