"""Talking to a RESO Web API source: OAuth2 client-credentials tokens and OData JSON pages.

Every request goes through ``properties.feeds.http_request``: the SSRF guard of
``import_listings`` (refusing private addresses unless ``MLS_SYNC_ALLOW_PRIVATE``),
pinned to the checked address. Timeouts, connection errors, 5xx and 429 answers
and pages that are not OData JSON are retried with exponential backoff; a
source still failing after ``MLS_SYNC_RETRIES`` retries ends the run with the
reason. The client secret is sent in the token request's Basic authorization and appears in
no message, log line or exception.
"""

import base64
import datetime
import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass
from urllib.parse import quote_plus, urlencode, urljoin

from django.conf import settings

from properties.feeds import FeedError, http_request

logger = logging.getLogger(__name__)


def odata_timestamp(value) -> datetime.datetime | None:
    """An OData DateTimeOffset as an aware datetime (a naive one read as UTC); None if not one."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


class SyncError(Exception):
    """A run cannot go on; the message says why, for staff (and never holds a secret)."""


class QueryRefused(SyncError):
    """The source answered 400: it does not support something the query asks (``$expand``)."""


class _NotFound(Exception):
    pass


@dataclass
class _Token:
    value: str
    expires_at: float  # time.monotonic()


# Tokens by (source id, client id, digest of the secret): cached until shortly before
# they expire, shared by the threads of one process (each Celery worker has its own).
_tokens: dict[tuple, _Token] = {}
_tokens_lock = threading.Lock()
TOKEN_MARGIN_SECONDS = 30


def tokens_forget() -> None:
    with _tokens_lock:
        _tokens.clear()


class ODataClient:
    """GET JSON from one source's OData service, with a bearer token when it has credentials."""

    def __init__(self, source, *, sleep=time.sleep):
        self.source = source
        self.root = source.url if source.url.endswith("/") else source.url + "/"
        self.allow_private = settings.MLS_SYNC_ALLOW_PRIVATE
        self.timeout = settings.MLS_SYNC_TIMEOUT_SECONDS
        self.retries = settings.MLS_SYNC_RETRIES
        self.backoff = settings.MLS_SYNC_BACKOFF_SECONDS
        self.sleep = sleep

    def url(self, resource: str, **query) -> str:
        return urljoin(self.root, resource) + ("?" + urlencode(query) if query else "")

    def page(self, url: str) -> dict:
        """One OData collection page: ``{"value": [...], "@odata.nextLink": ...}``."""
        page = self._get_json(url)
        if not isinstance(page, dict) or not isinstance(page.get("value"), list):
            raise SyncError(f"{url} did not answer an OData collection (no 'value' list).")
        return page

    def page_or_none(self, url: str) -> dict | None:
        """The page, or None when the source has no such resource (404)."""
        try:
            return self.page(url)
        except _NotFound:
            return None

    # --- HTTP ---------------------------------------------------------------------

    def _get_json(self, url: str):
        reason = ""
        refreshed = False
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            # Server-driven paging: $top would cap the whole answer, this only the page.
            headers = {
                "Accept": "application/json",
                "Prefer": f"odata.maxpagesize={self.source.page_size}",
            }
            token = self._token()
            if token:
                headers["Authorization"] = f"Bearer {token}"
            try:
                status, body = http_request(
                    url, headers=headers, allow_private=self.allow_private, timeout=self.timeout
                )
            except FeedError as exc:
                reason = str(exc)
                continue
            if status == 401 and token and not refreshed:
                # The token expired early or was revoked: one fresh token, then give up.
                self._token_drop()
                refreshed = True
                continue
            if status == 404:
                raise _NotFound(url)
            if status >= 500 or status == 429:
                reason = f"{url} answered HTTP {status}"
                continue
            if status != 200:
                error = QueryRefused if status == 400 else SyncError
                raise error(f"{url} answered HTTP {status}: {_odata_message(body)}")
            try:
                return json.loads(body)
            except ValueError:
                reason = f"{url} answered a page that is not JSON"
                continue
        raise SyncError(f"{reason} ({self.retries + 1} attempts).")

    def _token_key(self) -> tuple:
        digest = hashlib.sha256(self.source.client_secret.encode()).hexdigest()
        return (self.source.pk, self.source.token_url, self.source.client_id, digest)

    def _token_drop(self) -> None:
        with _tokens_lock:
            _tokens.pop(self._token_key(), None)

    def _token(self) -> str | None:
        if not self.source.token_url:
            return None
        key = self._token_key()
        with _tokens_lock:
            cached = _tokens.get(key)
        if cached and cached.expires_at > time.monotonic():
            return cached.value
        token = self._token_request()
        with _tokens_lock:
            _tokens[key] = token
        return token.value

    def _token_request(self) -> _Token:
        if self.source.client_id and not self.source.client_secret:
            # Also what a secret encrypted under a secret key since retired reads as.
            raise SyncError(
                "No client secret is stored for this source (or it cannot be decrypted "
                "with the current SECRET_KEY): enter it again."
            )
        body = urlencode({"grant_type": "client_credentials"}).encode()
        # HTTP Basic, the client authentication every OAuth2 server must accept (RFC 6749
        # 2.3.1), each part form-encoded first.
        pair = f"{quote_plus(self.source.client_id)}:{quote_plus(self.source.client_secret)}"
        authorization = "Basic " + base64.b64encode(pair.encode()).decode()
        reason = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                status, answer = http_request(
                    self.source.token_url,
                    method="POST",
                    headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Authorization": authorization,
                    },
                    body=body,
                    allow_private=self.allow_private,
                    timeout=self.timeout,
                )
            except FeedError as exc:
                reason = str(exc)
                continue
            if status >= 500 or status == 429:
                reason = f"The token URL answered HTTP {status}"
                continue
            if status != 200:
                # The body may echo the request; only the OAuth2 error code is kept.
                raise SyncError(
                    f"The token URL refused the client credentials (HTTP {status}, "
                    f"{_oauth_error(answer)})."
                )
            try:
                data = json.loads(answer)
                value = str(data["access_token"])
                lifetime = float(data.get("expires_in") or 300)
            except (ValueError, KeyError, TypeError):
                reason = "The token URL answered no access_token"
                continue
            expires_at = time.monotonic() + max(lifetime - TOKEN_MARGIN_SECONDS, 1)
            return _Token(value, expires_at)
        raise SyncError(f"{reason} ({self.retries + 1} attempts).")


def _oauth_error(body: bytes) -> str:
    try:
        return str(json.loads(body).get("error", "no error code"))[:100]
    except (ValueError, AttributeError):
        return "no error code"


def _odata_message(body: bytes) -> str:
    try:
        return str(json.loads(body)["error"]["message"])[:300]
    except (ValueError, KeyError, TypeError):
        return body[:200].decode("utf-8", "replace")
