"""Writes to listings. The API, the admin, bulk actions and commands all call these.

What must hold for every write path, these services included, the database
enforces itself (``properties.database_rules``): a price change is recorded as
a ``PriceChange``, a listing's photo summary columns follow its photos, and the
response cache's data version moves. The services never write those.
"""

import logging
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from properties.conditional import if_match_fails, listing_etag
from properties.models import Favorite, Inquiry, OpenHouse, Property, PropertyPhoto

logger = logging.getLogger(__name__)


class ListingChanged(Exception):
    """The listing is no longer the version the caller read (a stale If-Match or form)."""


def mls_number_for(pk: int) -> str:
    return f"H{pk:07d}"


@transaction.atomic
def property_create(*, listing: Property, user) -> Property:
    """Save a new listing; an agent who is not staff always becomes its listing agent."""
    if not user.is_staff:
        listing.listing_agent = user
    agent = listing.listing_agent
    if agent is not None and not agent.may_list():
        raise ValidationError(
            {"listing_agent": f"User {agent.pk} cannot list properties: not an active agent."}
        )
    listing.save()
    if not listing.mls_number:
        # The generated number needs the id, which only the insert provides.
        listing.mls_number = mls_number_for(listing.pk)
        Property.objects.filter(pk=listing.pk).update(mls_number=listing.mls_number)
    # The database fills these in when left empty (rule listing_change_times).
    listing.refresh_from_db(fields=["status_changed_at", "original_list_price"])
    return listing


def _current(listing: Property, if_match: str | None, *, lock: bool) -> Property:
    # The listing as stored, with what its ETag covers (``conditional.listing_etag``).
    listings = Property.objects.with_list_data()
    if lock:
        # Locking the row makes the precondition check and the write one step:
        # nobody can write between them. Only the listing: its agent may be NULL.
        listings = listings.select_for_update(of=("self",))
    current = listings.get(pk=listing.pk)
    if if_match_fails(if_match, listing_etag(current)):
        raise ListingChanged
    return current


def property_check_unchanged(*, listing: Property, if_match: str | None) -> None:
    """Raise ``ListingChanged`` when ``if_match`` is stale, without writing.

    For early feedback (the admin form re-displays the staff member's input
    with the conflict); the writes below check again under the row lock.
    """
    _current(listing, if_match, lock=False)


@transaction.atomic
def property_update(*, listing: Property, data: dict, if_match: str | None = None) -> Property:
    """Apply validated ``data`` to a listing, refusing when ``if_match`` is stale.

    Returns the listing as stored afterwards (the database rules may have
    written to it, and ``bathrooms`` is generated), which is what its new ETag
    describes.
    """
    current = _current(listing, if_match, lock=True)
    for field, value in data.items():
        setattr(current, field, value)
    current.save()
    return Property.objects.with_list_data().get(pk=current.pk)


@transaction.atomic
def property_delete(*, listing: Property, if_match: str | None = None) -> None:
    """Delete a listing, refusing when ``if_match`` is stale: it is archived, not erased.

    Nothing anyone else created is lost with it: inquiries and favourites keep
    referring to it (and stay readable by their owners), photos and price
    history stay with it. Erasing a listing is refused by the database while
    an inquiry or favourite refers to it (``on_delete=PROTECT``).
    """
    current = _current(listing, if_match, lock=True)
    properties_archive(queryset=Property.objects.filter(pk=current.pk))


def properties_archive(*, queryset) -> int:
    """Archive (soft-delete) the listings of ``queryset``; returns how many were archived."""
    now = timezone.now()
    return queryset.filter(archived_at__isnull=True).update(archived_at=now, updated_at=now)


def property_touch(*, listing_id: int) -> None:
    """Mark a listing changed (its ETag and ``updated_after`` move), e.g. when its photos change.

    (``photos_changed_at`` needs no call: the database rule ``listing_change_times``
    stamps it on every photo write.)
    """
    Property.objects.filter(pk=listing_id).update(updated_at=timezone.now())


def properties_set_status(*, queryset, status: str) -> int:
    """Set the status of many listings at once; returns how many changed.

    Moving a listing off ``sold`` clears its sale date and price: only a sold
    listing has them (``validators.validate_sale_fields``).
    """
    # status_changed_at is the database's to stamp (rule listing_change_times).
    changes = {"status": status, "updated_at": timezone.now()}
    if status != Property.Status.SOLD:
        changes.update(sold_at=None, sold_price=None)
    return queryset.exclude(status=status).update(**changes)


def properties_mark_sold(*, queryset, sold_at, sold_price) -> int:
    """Mark many listings sold on ``sold_at`` for ``sold_price``; returns how many changed.

    A sold listing always has its sale date and price
    (``validators.validate_sale_fields``), so bulk writes ask for them too.
    """
    return queryset.exclude(status=Property.Status.SOLD).update(
        status=Property.Status.SOLD,
        sold_at=sold_at,
        sold_price=sold_price,
        updated_at=timezone.now(),
    )


@transaction.atomic
def photo_add(
    *, listing: Property, image, width: int, height: int, caption: str = "", position=None
) -> PropertyPhoto:
    """Store a verified image (see ``config.images.sanitized_upload``) as a photo of ``listing``.

    Without a ``position`` the photo goes after the listing's last one, so an
    upload never silently replaces the primary photo.
    """
    if position is None:
        last = listing.photos.aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
        if position > PropertyPhoto.MAX_POSITION:
            raise ValidationError(
                {
                    "position": [
                        f"The listing's last photo is at the highest position "
                        f"({PropertyPhoto.MAX_POSITION}); give this one a position."
                    ]
                }
            )
    photo = PropertyPhoto.objects.create(
        property=listing,
        image=image,
        width=width,
        height=height,
        caption=caption,
        position=position,
    )
    property_touch(listing_id=listing.pk)
    return photo


@transaction.atomic
def photo_update(*, photo: PropertyPhoto) -> PropertyPhoto:
    """Save changes to a photo's caption or position (the admin's inline edits)."""
    photo.save()
    property_touch(listing_id=photo.property_id)
    return photo


@transaction.atomic
def photos_reorder(*, listing: Property, photo_ids: list[int]) -> None:
    """Give ``listing``'s photos the positions 0, 1, 2... in the order of ``photo_ids``.

    ``photo_ids`` must name each of the listing's photos exactly once, so a
    stale page (a photo added or deleted meanwhile) is refused, not half-applied.
    """
    photos = {photo.pk: photo for photo in listing.photos.select_for_update()}
    if sorted(photo_ids) != sorted(photos):
        raise ValidationError(
            {"photo_ids": "List each of the listing's photos exactly once (reload the page)."}
        )
    changed = []
    for position, photo_id in enumerate(photo_ids):
        photo = photos[photo_id]
        if photo.position != position:
            photo.position = position
            changed.append(photo)
    PropertyPhoto.objects.bulk_update(changed, ["position"])
    if changed:
        property_touch(listing_id=listing.pk)


@transaction.atomic
def photo_delete(*, photo: PropertyPhoto) -> None:
    """Delete a photo; its file leaves storage once the deletion commits (``signals``)."""
    listing_id = photo.property_id
    photo.delete()
    property_touch(listing_id=listing_id)


@transaction.atomic
def open_house_create(*, listing: Property, data: dict) -> OpenHouse:
    """Schedule an open house of ``listing`` from validated ``data``."""
    return OpenHouse.objects.create(property=listing, **data)


@transaction.atomic
def open_house_update(*, open_house: OpenHouse, data: dict) -> OpenHouse:
    """Change an open house (its times, type, status or remarks)."""
    for field, value in data.items():
        setattr(open_house, field, value)
    open_house.save()
    return open_house


def open_house_delete(*, open_house: OpenHouse) -> None:
    """Remove an open house; cancelling (status ``canceled``) keeps it visible as cancelled."""
    open_house.delete()


def favorite_add(*, user, listing: Property) -> tuple[Favorite, bool]:
    """Save ``listing`` for ``user``; returns (favorite, created). Saving twice keeps one."""
    # get_or_create retries the lookup when a concurrent request wins the
    # insert (the unique constraint), so a double click cannot fail.
    return Favorite.objects.get_or_create(user=user, property=listing)


def favorite_remove(*, user, listing: Property) -> None:
    """Forget ``listing`` for ``user``; removing what was never saved is not an error."""
    Favorite.objects.filter(user=user, property=listing).delete()


@transaction.atomic
def inquiry_send(
    *, listing: Property, message: str, sender=None, name: str = "", email: str = "", phone=""
) -> Inquiry:
    """Record an inquiry and, once it is committed, email the listing's agent.

    A signed-in sender's name and email are the account's, whatever the body
    said: the email becomes the notification's Reply-To, and a sender who could
    name any address would have the agent answer (and trust) someone else.
    They are copied, so every inquiry says whom to answer even if the account
    later changes.
    """
    if sender is not None:
        name, email = sender.display_name, sender.email
    inquiry = Inquiry.objects.create(
        property=listing, sender=sender, name=name, email=email, phone=phone, message=message
    )
    transaction.on_commit(partial(inquiry_notify_agent, inquiry=inquiry))
    return inquiry


def inquiry_set_answered(*, inquiry: Inquiry, answered: bool, user) -> Inquiry:
    """Mark a lead answered (by ``user``, now) or waiting again."""
    if answered and inquiry.answered_at is None:
        inquiry.answered_at, inquiry.answered_by = timezone.now(), user
    elif not answered:
        inquiry.answered_at, inquiry.answered_by = None, None
    inquiry.save(update_fields=["answered_at", "answered_by"])
    return inquiry


def _one_line(text: str) -> str:
    # Header values must not contain line breaks (Django refuses them).
    return " ".join(text.split())


def inquiry_notify_agent(*, inquiry: Inquiry) -> bool:
    """Email the inquiry to the listing's agent; returns whether a message was sent.

    Runs after the inquiry is committed: a mail server that is down loses the
    notification (logged), never the inquiry or the sender's response.
    """
    listing = inquiry.property
    agent = listing.listing_agent
    if agent is None or not agent.email:
        return False
    body = (
        f"{inquiry.name} <{inquiry.email}> asks about {listing.address} "
        f"(MLS {listing.mls_number}, listing {listing.pk}):\n\n"
        f"{inquiry.message}\n\n"
        f"Phone: {inquiry.phone or 'not given'}\n"
        "Reply to this email to answer them.\n"
    )
    message = EmailMessage(
        subject=_one_line(f"Inquiry about {listing.address}")[:200],
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[agent.email],
        reply_to=[inquiry.email] if inquiry.email else None,
    )
    try:
        message.send()
    except Exception:
        logger.exception("Could not email inquiry %s to agent %s", inquiry.pk, agent.pk)
        return False
    return True
