"""The served resources: each DD resource's fields over a Hearth model, in one place.

``$metadata``, ``$filter``/``$orderby``/``$select`` and the records served are
all built from these definitions, and the Property fields' names and
lookups come from Hearth's one DD mapping (``properties.reso``), so the
document and the data cannot disagree.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, CharField, IntegerField, Value, When
from django.db.models.functions import Coalesce, Concat, Trim
from django.urls import reverse

from properties import reso as dd_mapping
from properties.models import OpenHouse, Property, PropertyPhoto
from properties.reso import lookups as dd_lookups
from reso.fields import (
    EDM_INT,
    EDM_STRING,
    EDM_TIMESTAMP,
    Field,
)
from reso.models import EntityEvent
from users.models import Office, User


@dataclass(frozen=True)
class Navigation:
    """A navigation property ($expand): ``prefetch`` or ``select`` is the ORM path to load."""

    name: str
    target: str
    collection: bool
    prefetch: str | None = None
    select: str | None = None
    order: tuple[str, ...] = ()


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


# --- Resources of the DD mapping (properties.reso) ------------------------------------

# Hearth's stored value -> DD display value, for the lookups Hearth translates.
_TRANSLATED = {
    "StandardStatus": dd_lookups.STATUS_TO_DD,
    "PropertyType": {kind: dd for kind, (dd, _sub) in dd_lookups.TYPE_TO_DD.items()},
    "PropertySubType": {kind: sub for kind, (_dd, sub) in dd_lookups.TYPE_TO_DD.items() if sub},
    "OpenHouseType": dd_lookups.OPEN_HOUSE_TYPE_TO_DD,
    "OpenHouseStatus": dd_lookups.OPEN_HOUSE_STATUS_TO_DD,
}


def _nullable(model, source: str | None) -> bool:
    if source is None:
        return True
    for part in source.split("__"):
        model_field = model._meta.get_field(part)
        if model_field.null:
            return True
        model = model_field.related_model or model
    return False


def _partial(model, reso_field, lookup) -> bool:
    # A lookup Hearth fills for some stored values only (PropertySubType: industrial) is
    # null for the others, however non-null its column.
    if lookup is None:
        return False
    return len(lookup) < len(model._meta.get_field(reso_field.source).choices)


def _from_mapping(model, reso_fields, expressions=None) -> tuple[Field, ...]:
    """The mapping's fields as served fields: same names, types, sources and values."""
    expressions = expressions or {}
    fields = []
    for reso_field in reso_fields:
        lookup = _TRANSLATED.get(reso_field.lookup)
        fields.append(
            Field(
                reso_field.name,
                reso_field.edm_type,
                source=reso_field.source,
                expression=expressions.get(reso_field.name),
                lookup_name=reso_field.lookup,
                lookup={str(k): v for k, v in lookup.items()} if lookup else None,
                nullable=reso_field.name not in _NEVER_NULL
                and (_nullable(model, reso_field.source) or _partial(model, reso_field, lookup)),
                max_length=reso_field.max_length,
                precision=reso_field.precision,
                scale=reso_field.scale,
                dd=reso_field,
            )
        )
    return tuple(fields)


# Keys are served as text of a non-null id.
_NEVER_NULL = {"ListingKey", "OpenHouseKey", "OfficeKey", "MemberKey"}

# Computed values the mapping cannot query, as SQL expressions so $filter and $orderby can.
_PROPERTY_EXPRESSIONS = {
    # DD: the simple count of bathrooms, a half bath counting one.
    "BathroomsTotalInteger": Case(
        When(bathrooms_full__isnull=True, bathrooms_half__isnull=True, then=Value(None)),
        default=Coalesce("bathrooms_full", 0) + Coalesce("bathrooms_half", 0),
        output_field=IntegerField(),
    ),
    "ListAgentFullName": Trim(
        Concat(
            "listing_agent__first_name",
            Value(" "),
            "listing_agent__last_name",
            output_field=CharField(),
        )
    ),
}
_MEMBER_EXPRESSIONS = {
    "MemberFullName": Trim(Concat("first_name", Value(" "), "last_name", output_field=CharField())),
}

PROPERTY_FIELDS = _from_mapping(Property, dd_mapping.PROPERTY_FIELDS, _PROPERTY_EXPRESSIONS)

PROPERTY = Resource(
    name="Property",
    key="ListingKey",
    fields=PROPERTY_FIELDS,
    queryset=lambda user: Property.objects.visible_to(_viewer(user)).select_related(
        "listing_agent__office"
    ),
    navigations=(
        Navigation("Media", "Media", collection=True, prefetch="photos", order=("position", "id")),
        Navigation("ListAgent", "Member", collection=False, select="listing_agent"),
        Navigation("ListOffice", "Office", collection=False, select="listing_agent__office"),
        Navigation(
            "OpenHouse",
            "OpenHouse",
            collection=True,
            prefetch="open_houses",
            order=("date", "start_time", "id"),
        ),
    ),
    timestamp="ModificationTimestamp",
)

MEMBER = Resource(
    name="Member",
    key="MemberKey",
    fields=_from_mapping(User, dd_mapping.MEMBER_FIELDS, _MEMBER_EXPRESSIONS),
    # Agents' public profiles are public in the REST API too (users.visible_to).
    queryset=lambda user: User.objects.agents().select_related("office"),
    navigations=(Navigation("Office", "Office", collection=False, select="office"),),
)

OFFICE = Resource(
    name="Office",
    key="OfficeKey",
    fields=_from_mapping(Office, dd_mapping.OFFICE_FIELDS),
    queryset=lambda user: Office.objects.all(),
    timestamp="ModificationTimestamp",
)

OPEN_HOUSE = Resource(
    name="OpenHouse",
    key="OpenHouseKey",
    fields=_from_mapping(OpenHouse, dd_mapping.OPEN_HOUSE_FIELDS),
    # An open house is read by whoever may read its listing (the REST API's rule).
    queryset=lambda user: OpenHouse.objects.filter(
        property__in=Property.objects.visible_to(_viewer(user))
    ).select_related("property"),
    timestamp="ModificationTimestamp",
)


# --- Media (listing photos) -----------------------------------------------------------


def _media_url(photo, request):
    if photo.source_url:
        return photo.source_url  # a replicated listing's photo, at its MLS
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

RESOURCES = {r.name: r for r in (PROPERTY, MEMBER, OFFICE, MEDIA, OPEN_HOUSE, ENTITY_EVENT)}
