"""A replicated listing's photos: references to the URLs its source serves them at (SPEC 7).

A run asks for ``Property?$expand=Media``, so each record carries its photos:
``"Media": [{"MediaURL", "Order", "ShortDescription", "MediaCategory"}, ...]``.
The listing's referenced photos are made equal to that list, in ``Order``: a
photo the source removed or moved is removed or moved here at the next run
that reads the record (the source's ModificationTimestamp changes with its
media). Nothing is downloaded; the API and OData serve the source's URL, and
the ``photo_summary`` database rule keeps ``photo_total``/``primary_photo`` right.

A source that refuses ``$expand`` is read without it, and ``mls.sync`` gives
each record the ``Media`` list of the source's Media resource instead.
A record without a ``Media`` member (a source with neither) leaves
the listing's photos as they are; photos staff uploaded to a replicated listing
are never touched.
"""

from collections import defaultdict

from django.db.models import Case, F, Value, When
from django.utils import timezone

from mls.client import odata_timestamp
from properties.models import Property, PropertyPhoto

URL_SCHEMES = ("https://", "http://")
# Media a listing shows as photos; a source's videos and documents are not photos.
PHOTO_CATEGORIES = (None, "", "Photo")
_URL_MAX = PropertyPhoto._meta.get_field("source_url").max_length
_CAPTION_MAX = PropertyPhoto._meta.get_field("caption").max_length


def record_photos(record: dict) -> list[tuple[str, str]] | None:
    """``(url, caption)`` of the record's photos in the source's order; None without Media."""
    media = record.get("Media")
    if not isinstance(media, list):
        return None
    ranked = []
    for index, item in enumerate(media):
        if not isinstance(item, dict) or item.get("MediaCategory") not in PHOTO_CATEGORIES:
            continue
        url = item.get("MediaURL")
        # Only web URLs are served on to browsers (never javascript: or data:).
        if not isinstance(url, str) or not url.startswith(URL_SCHEMES) or len(url) > _URL_MAX:
            continue
        order = item.get("Order")
        rank = order if isinstance(order, int) and not isinstance(order, bool) else index
        caption = item.get("ShortDescription")
        caption = caption[:_CAPTION_MAX] if isinstance(caption, str) else ""
        ranked.append((rank, index, url, caption))
    ranked.sort()
    return [(url, caption) for _rank, _index, url, caption in ranked[: PropertyPhoto.MAX_POSITION]]


def listings_media_apply(*, source, records: list, skip_keys=frozenset()) -> int:
    """Make the photos of ``source``'s listings in ``records`` equal their Media lists.

    Four queries whatever the page size (listings, photos, one delete, one insert)
    plus one touching the listings that changed. Returns how many listings changed.
    Call it in the transaction that stored the records (``mls.sync``).
    """
    wanted, stamps = {}, {}
    for record in records:
        if not isinstance(record, dict):
            continue
        key = record.get("ListingKey")
        key = "" if key is None or isinstance(key, dict | list) else str(key).strip()
        photos = record_photos(record) if key and key not in skip_keys else None
        if photos is not None:
            wanted[key] = photos
            stamps[key] = odata_timestamp(record.get("PhotosChangeTimestamp"))
    if not wanted:
        return 0
    ids = dict(
        Property.objects.filter(mls_source=source, source_key__in=list(wanted)).values_list(
            "source_key", "id"
        )
    )
    current = defaultdict(list)
    referenced = (
        PropertyPhoto.objects.filter(property_id__in=list(ids.values()))
        .exclude(source_url="")
        .order_by("property_id", "position", "id")
        .values_list("property_id", "source_url", "caption")
    )
    for listing_id, url, caption in referenced:
        current[listing_id].append((url, caption))
    changed = {ids[key]: wanted[key] for key in ids if current[ids[key]] != wanted[key]}
    if not changed:
        return 0
    PropertyPhoto.objects.filter(property_id__in=list(changed)).exclude(source_url="").delete()
    PropertyPhoto.objects.bulk_create(
        PropertyPhoto(property_id=listing_id, source_url=url, caption=caption, position=position)
        for listing_id, photos in changed.items()
        for position, (url, caption) in enumerate(photos)
    )
    # The listing changed for its readers (ETags, caches, a Hearth syncing from this one);
    # the source's own PhotosChangeTimestamp, when it has one, wins over the time of the
    # copy, as import_listings keeps the source's status and price change times.
    by_id = {ids[key]: stamp for key, stamp in stamps.items() if key in ids and stamp}
    changes = {"updated_at": timezone.now()}
    source_stamps = [When(pk=i, then=Value(stamp)) for i, stamp in by_id.items() if i in changed]
    if source_stamps:
        changes["photos_changed_at"] = Case(*source_stamps, default=F("photos_changed_at"))
    Property.objects.filter(pk__in=list(changed)).update(**changes)
    return len(changed)
