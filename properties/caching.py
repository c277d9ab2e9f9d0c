"""Cached listing reads: list, detail and market statistics, keyed by the data version.

A cached response is valid exactly as long as the listing data version's token
(``ListingDataVersion``, replaced by the database rules on every change to
listings, photos and what listings show of their agents) is the one it was
stored under, so nothing ever deletes entries: a write makes them unreachable and they expire after
``API_RESPONSE_CACHE_TIMEOUT``. The key is

* the token, read first (one primary-key query), so an entry never holds data
  older than its token;
* who is asking, as far as it changes the rows (``Property.objects.visible_to``);
* the absolute URL: filters, page and the host and scheme of the body's links;
* the media type chosen by content negotiation. Only JSON is cached, never the
  browsable API's HTML (it shows the user's name, forms and CSRF tokens).

The ETag of a list or of market statistics is a digest of the same key
(``properties.conditional``, the one rule for listing tags): equal tags mean
equal bodies, so ``If-None-Match`` is answered 304 before the cache or the
listings are read. A detail keeps the tag of its row (``listing_etag``, which
``If-Match`` on writes compares), stored in the entry beside the body.
The views call ``cached_read`` inside their handler, after DRF has
authenticated, checked permissions and throttled the request.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.http import HttpResponse
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from properties.conditional import digest, etag_of, if_none_match_hits
from properties.models import ListingDataVersion

logger = logging.getLogger(__name__)

# Entries are (rendered body, ETag); the suffix names that shape, so entries of an
# older shape are never read as this one.
KEY_PREFIX = "listing-read:2"
# ListingDataVersion's table (tests check the name against the model).
DATA_VERSION_QUERY = "SELECT token FROM properties_listingdataversion WHERE id = %s"


def listing_data_version() -> str | None:
    """The current token; None while the row is missing (a flushed table), which caches nothing.

    Every cached request runs this first, and building and compiling a queryset
    for it was a visible part of a cache hit; the statement never changes, so it is
    written out. It reads from the database the router picks for this model,
    as the ORM would (the replica, for an API read), so the token always
    describes the data the same request would read.
    """
    with connections[router.db_for_read(ListingDataVersion)].cursor() as cursor:
        cursor.execute(DATA_VERSION_QUERY, [ListingDataVersion.SINGLETON_ID])
        row = cursor.fetchone()
    return row[0] if row else None


def visibility_scope(user) -> str:
    """A name for the set of listings ``user`` may see (``Property.objects.visible_to``).

    Anonymous callers share one scope and staff another. Every other signed-in
    user sees the public listings plus those they are the agent of, which a
    client can be too (a listing keeps an agent whose role changed), so each
    gets their own scope rather than risk showing one user's hidden listings
    to another.
    """
    if not user.is_authenticated:
        return "public"
    if user.is_staff:
        return "staff"
    return f"user:{user.pk}"


def _cache_get(key):
    try:
        return cache.get(key)
    except Exception:
        # A cache that fails is a miss: the response is built from the database.
        logger.warning("listing read cache: get failed", exc_info=True)
        return None


def _cache_set(key, value):
    try:
        cache.set(key, value, settings.API_RESPONSE_CACHE_TIMEOUT)
    except Exception:
        logger.warning("listing read cache: set failed", exc_info=True)


def _not_modified(etag: str) -> Response:
    return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})


def _current_or_not_modified(request, response: Response) -> Response:
    """``response`` (a detail carrying its own ETag), or 304 when ``If-None-Match`` names it."""
    etag = response.get("ETag") if response.status_code == status.HTTP_200_OK else None
    if etag and if_none_match_hits(request.headers.get("If-None-Match"), etag):
        return _not_modified(etag)
    return response


def cached_read(request, build: Callable[[], Response], *, own_etag: bool = False) -> Response:
    """The response ``build()`` makes, from the cache when it holds it, with an ETag.

    Answers 304 when ``If-None-Match`` names the current ETag. Only 200
    responses are stored; with ``API_RESPONSE_CACHE`` off, or for another
    renderer than JSON, this is just ``build()`` (and its conditional answer).

    With ``own_etag`` (a listing's detail), ``build()`` sets the ETag itself:
    the row's tag, which ``If-Match`` on a write is compared with, so it must
    not depend on whether the cache is on. That tag is stored with the body,
    and ``If-None-Match`` is answered from the entry (``*`` included: a
    visible listing is a current representation). Otherwise the tag is the
    key's digest, and a matching ``If-None-Match`` is answered before the
    cache is read.
    """
    if not settings.API_RESPONSE_CACHE or type(request.accepted_renderer) is not JSONRenderer:
        return _current_or_not_modified(request, build()) if own_etag else build()
    token = listing_data_version()
    if token is None:
        return _current_or_not_modified(request, build()) if own_etag else build()
    key_digest = digest(
        token,
        visibility_scope(request.user),
        request.build_absolute_uri(),
        request.accepted_media_type,
    )
    if not own_etag:
        etag = etag_of(key_digest)
        if if_none_match_hits(request.headers.get("If-None-Match"), etag, star=False):
            return _not_modified(etag)

    key = f"{KEY_PREFIX}:{key_digest}"
    renderer = request.accepted_renderer
    # The rendered bytes are stored, not the data: a hit then neither unpickles
    # twenty nested listings nor encodes them to JSON again.
    entry = _cache_get(key)
    if entry is None:
        response = build()
        if response.status_code != status.HTTP_200_OK:
            return response
        if own_etag:
            etag = response["ETag"]
        content = renderer.render(response.data, request.accepted_media_type, {"request": request})
        _cache_set(key, (content, etag))
    else:
        content, etag = entry
    if own_etag and if_none_match_hits(request.headers.get("If-None-Match"), etag):
        return _not_modified(etag)
    # What DRF's Response would set: the renderer's media type (JSON has no charset).
    response = HttpResponse(content, content_type=renderer.media_type)
    response["ETag"] = etag
    return response
