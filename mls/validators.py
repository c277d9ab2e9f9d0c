from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from properties.feeds import FeedError, address_check


def validate_source_url(url: str) -> None:
    """Refuse URLs that resolve to private, loopback or link-local addresses (SSRF).

    The same guard as ``import_listings`` URLs; ``MLS_SYNC_ALLOW_PRIVATE=true``
    lifts it (a Hearth replicating a neighbour on the same network).
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValidationError("Enter an http or https URL.", code="invalid")
    try:
        address_check(url, allow_private=settings.MLS_SYNC_ALLOW_PRIVATE)
    except FeedError as exc:
        message = str(exc).replace("--allow-private is given", "MLS_SYNC_ALLOW_PRIVATE=true")
        raise ValidationError(message, code="private_address") from None
