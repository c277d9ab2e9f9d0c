"""Writes to listings. The API, the admin, bulk actions and commands all call these."""

from django.db import transaction
from django.utils import timezone

from properties.conditional import if_match_fails, listing_etag
from properties.models import Property


class ListingChanged(Exception):
    """The listing is no longer the version the caller read (a stale If-Match or form)."""


def mls_number_for(pk: int) -> str:
    return f"H{pk:07d}"


@transaction.atomic
def property_create(*, listing: Property, user) -> Property:
    """Save a new listing; an agent who is not staff always becomes its listing agent."""
    if not user.is_staff:
        listing.listing_agent = user
    listing.save()
    if not listing.mls_number:
        # The generated number needs the id, which only the insert provides.
        listing.mls_number = mls_number_for(listing.pk)
        Property.objects.filter(pk=listing.pk).update(mls_number=listing.mls_number)
    return listing


def _lock_current(listing: Property, if_match: str | None) -> Property:
    # Locking the row makes the precondition check and the write one step:
    # nobody can write between them.
    current = Property.objects.select_for_update().get(pk=listing.pk)
    if if_match_fails(if_match, listing_etag(current)):
        raise ListingChanged
    return current


@transaction.atomic
def property_update(*, listing: Property, data: dict, if_match: str | None = None) -> Property:
    """Apply validated ``data`` to a listing, refusing when ``if_match`` is stale."""
    current = _lock_current(listing, if_match)
    for field, value in data.items():
        setattr(current, field, value)
    current.save()
    return current


@transaction.atomic
def property_delete(*, listing: Property, if_match: str | None = None) -> None:
    """Delete a listing, refusing when ``if_match`` is stale."""
    _lock_current(listing, if_match).delete()


def property_touch(*, listing_id: int) -> None:
    """Mark a listing changed (its ETag and ``updated_after`` move), e.g. when its photos change."""
    Property.objects.filter(pk=listing_id).update(updated_at=timezone.now())


def properties_set_status(*, queryset, status: str) -> int:
    """Set the status of many listings at once; returns how many changed.

    Moving a listing off ``sold`` clears its sale date and price: only a sold
    listing has them (``validators.validate_sale_fields``).
    """
    changes = {"status": status, "updated_at": timezone.now()}
    if status != Property.Status.SOLD:
        changes.update(sold_at=None, sold_price=None)
    return queryset.exclude(status=status).update(**changes)
