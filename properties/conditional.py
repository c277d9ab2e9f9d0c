"""Entity tags for listings (RFC 9110 conditional requests)."""

from django.utils.http import parse_etags


def listing_etag(listing) -> str:
    """A strong tag that changes whenever the listing is written (``updated_at`` moves)."""
    return f'"{listing.pk}-{listing.updated_at.strftime("%Y%m%d%H%M%S%f")}"'


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
