"""Entity tags for listing responses (RFC 9110 conditional requests): one rule for all of them.

A tag is a digest of what the body is built from, so it changes exactly when
the body can, whatever wrote the data:

* a listing's detail: its row as read (every column, the photo summary the
  database keeps among them) and its agent's shown columns. Nothing has to
  remember to "touch" the listing: a raw SQL update, a photo written by any
  path, the agent's new phone number all change what is read, hence the tag.
* a cached read (list, market statistics, ``properties.caching``): the listing
  data version, which the database rules replace on every such change, plus
  the caller's visibility scope, the URL and the media type.
"""

import hashlib

from django.utils import timezone
from django.utils.http import parse_etags

from properties.database_rules import LISTING_AGENT_COLUMNS

# Part of every tag (and cache key): bump it when a release changes what these
# responses contain, so tags and cached entries of the old shape die with the deploy.
RESPONSE_FORMAT = "3"


def digest(*parts) -> str:
    """The hex digest of ``parts`` under the current response format, for today.

    Today's date is part of every tag and cache key: a listing's
    ``days_on_market`` grows at midnight without any write.
    """
    today = timezone.localdate().isoformat()
    text = "\n".join(str(part) for part in (RESPONSE_FORMAT, today, *parts))
    return hashlib.sha256(text.encode()).hexdigest()


def etag_of(hex_digest: str) -> str:
    return f'"{hex_digest[:40]}"'


def listing_etag(listing) -> str:
    """The strong tag of a listing's detail, from the row and agent as read."""
    columns = [getattr(listing, field.attname) for field in listing._meta.concrete_fields]
    agent = listing.listing_agent if listing.listing_agent_id else None
    shown = [getattr(agent, name) for name in LISTING_AGENT_COLUMNS] if agent else []
    return etag_of(digest("listing", *columns, *shown))


def _opaque(tag: str) -> str:
    return tag.removeprefix("W/")


def if_none_match_hits(header: str | None, etag: str, *, star: bool = True) -> bool:
    """True when ``If-None-Match`` names the current tag (weak comparison), so 304 applies.

    With ``star`` false, ``*`` ("any current representation") is not a hit:
    a list URL with invalid filters has none, and must still answer 400.
    """
    if not header:
        return False
    tags = parse_etags(header)
    return (star and "*" in tags) or _opaque(etag) in {_opaque(t) for t in tags}


def if_match_fails(header: str | None, etag: str | None) -> bool:
    """True when ``If-Match`` is present and names no current tag (strong comparison)."""
    if header is None:
        return False
    tags = parse_etags(header)
    if "*" in tags:
        return etag is None
    return etag not in {t for t in tags if not t.startswith("W/")}
