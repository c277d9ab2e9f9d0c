"""OData writes (RESO Add/Edit) to Property, through the API's own rules and services.

The body speaks DD names; ``properties.reso`` turns it into Hearth fields, the
REST API's ``PropertySerializer`` validates it and ``properties.services``
writes it, so a listing written here is held to exactly the rules of one
written through ``/api/properties/``, the admin or an import.
"""

from rest_framework.exceptions import PermissionDenied

from properties import reso as dd_mapping
from properties import services
from properties.models import Property
from properties.permissions import can_manage_listing
from properties.serializers import PropertySerializer
from reso.query import QueryError


class ListingStale(Exception):
    """An ``If-Match`` that is not the listing's current version."""


def _listing_data(body) -> dict:
    if not isinstance(body, dict):
        raise QueryError("The request body must be a JSON object of Data Dictionary fields.")
    record = dd_mapping.record_normalize(body)
    if record.ignored:
        names = ", ".join(record.ignored)
        raise QueryError(f"Property has no field Hearth writes named {names}.")
    try:
        data = dd_mapping.reso_to_listing_data(record.fields)
    except dd_mapping.UnknownValue as exc:
        raise QueryError(f"{exc.field}: {exc}") from None
    # The listing agent is the writer (or, for staff, left as it is): never an e-mail in a body.
    data.pop("listing_agent", None)
    return data


def _errors(serializer) -> str:
    return "; ".join(
        f"{dd_mapping.reso_field_for(field)}: {' '.join(str(m) for m in messages)}"
        for field, messages in serializer.errors.items()
    )


def _check_writer(user, listing=None):
    if not (user and user.is_authenticated and (user.is_staff or user.is_agent)):
        raise PermissionDenied("Only agents and staff write listings; an API client only reads.")
    if listing is not None and not can_manage_listing(user, listing):
        raise PermissionDenied("Agents change only their own listings.")


def property_create_from_dd(*, request, body) -> Property:
    """Create a listing from a DD record; ``QueryError`` names the first invalid field."""
    _check_writer(request.user)
    serializer = PropertySerializer(data=_listing_data(body), context={"request": request})
    if not serializer.is_valid():
        raise QueryError(_errors(serializer))
    return services.property_create(
        listing=Property(**serializer.validated_data), user=request.user
    )


def property_update_from_dd(*, request, listing: Property, body) -> Property:
    """Apply the DD fields of ``body`` to a listing (a body of read-only fields only touches it)."""
    _check_writer(request.user, listing)
    serializer = PropertySerializer(
        listing, data=_listing_data(body), partial=True, context={"request": request}
    )
    if not serializer.is_valid():
        raise QueryError(_errors(serializer))
    try:
        return services.property_update(
            listing=listing,
            data=serializer.validated_data,
            if_match=request.headers.get("If-Match"),
        )
    except services.ListingChanged:
        raise ListingStale from None


def property_delete_from_dd(*, request, listing: Property) -> None:
    _check_writer(request.user, listing)
    try:
        services.property_delete(listing=listing, if_match=request.headers.get("If-Match"))
    except services.ListingChanged:
        raise ListingStale from None
