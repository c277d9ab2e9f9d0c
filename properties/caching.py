"""Cached listing reads: the list and market statistics, with ETags, keyed by the data version.

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

The ETag is a digest of the same key (``properties.conditional``, the one rule
for listing tags): equal tags mean equal bodies, so ``If-None-Match`` is
answered 304 before the cache or the listings are read.
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

KEY_PREFIX = "listing-read"
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


def cached_read(request, build: Callable[[], Response]) -> Response:
    """The response ``build()`` makes, from the cache when it holds it, with an ETag.

    Answers 304 when ``If-None-Match`` names the current ETag. Only 200
    responses are stored; with ``API_RESPONSE_CACHE`` off, or for another
    renderer than JSON, this is just ``build()``.
    """
    if not settings.API_RESPONSE_CACHE or type(request.accepted_renderer) is not JSONRenderer:
        return build()
    token = listing_data_version()
    if token is None:
        return build()
    key_digest = digest(
        token,
        visibility_scope(request.user),
        request.build_absolute_uri(),
        request.accepted_media_type,
    )
    etag = etag_of(key_digest)
    if if_none_match_hits(request.headers.get("If-None-Match"), etag, star=False):
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})

    key = f"{KEY_PREFIX}:{key_digest}"
    renderer = request.accepted_renderer
    # The rendered bytes are stored, not the data: a hit then neither unpickles
    # twenty nested listings nor encodes them to JSON again.
    content = _cache_get(key)
    if content is None:
        response = build()
        if response.status_code != status.HTTP_200_OK:
            return response
        content = renderer.render(response.data, request.accepted_media_type, {"request": request})
        _cache_set(key, content)
    # What DRF's Response would set: the renderer's media type (JSON has no charset).
    response = HttpResponse(content, content_type=renderer.media_type)
    response["ETag"] = etag
    return response
