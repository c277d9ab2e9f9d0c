"""Reading listing feeds: fetch a file or URL, detect CSV or JSON, yield RESO records.

Fetching guards against server-side request forgery: every address a host name
resolves to is checked, the connection goes to the checked address (so a second
DNS answer cannot swap it), and each redirect is checked the same way.
"""

import contextlib
import csv
import http.client
import io
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from properties.reso import csv_unquote

FORMATS = ("csv", "json")
# The whole fetch (connecting, redirects, headers and body) ends by this
# deadline; settings.IMPORT_FETCH_TIMEOUT overrides it.
FETCH_TIMEOUT_SECONDS = 30
MAX_FEED_BYTES = 512 * 1024 * 1024
MAX_REDIRECTS = 5
# A listing description may hold up to 20,000 characters; csv's default cap is 131,072.
csv.field_size_limit(1024 * 1024)


class FeedError(Exception):
    """The feed as a whole cannot be read; the message says why, for the operator."""


@dataclass(frozen=True)
class BadRecord:
    """A record that could not be read as one; the import reports ``reason`` for its row."""

    reason: str


@dataclass
class Feed:
    """A feed's records as ``(row_number, record)`` and how far reading has got.

    ``size`` and ``progress.consumed`` count characters of a CSV feed and
    records of a JSON one (which is parsed whole before the first record).
    """

    records: Iterator[tuple[int, dict]]
    size: int
    progress: "_Progress"

    @property
    def fraction_read(self) -> float:
        return self.progress.consumed / self.size if self.size else 1.0


class _Progress:
    consumed = 0


def feed_open(source: str, *, format: str | None = None, allow_private: bool = False) -> Feed:
    """Load ``source`` (a path or an http(s) URL) and return its records, lazily parsed."""
    if urlsplit(source).scheme.lower() in {"http", "https"}:
        content, content_type = url_fetch(source, allow_private=allow_private)
    else:
        content, content_type = _file_read(source), ""
    return feed_read(content, name=source, format=format, content_type=content_type)


def feed_read(
    content: bytes, *, name: str = "", format: str | None = None, content_type: str = ""
) -> Feed:
    """Parse a feed held in memory (an upload); its name or its content tells the format."""
    format = format or _format_guess(name, content_type, content)
    text = _decode(content)
    if format == "json":
        return _json_feed(text)
    return _csv_feed(text)


def _file_read(path: str) -> bytes:
    try:
        with open(path, "rb") as file:
            content = file.read(MAX_FEED_BYTES + 1)
    except FileNotFoundError:
        raise FeedError(f"No such file: {path}") from None
    except IsADirectoryError:
        raise FeedError(f"{path} is a directory, not a feed file.") from None
    except OSError as exc:
        raise FeedError(f"Cannot read {path}: {exc.strerror or exc}") from None
    if len(content) > MAX_FEED_BYTES:
        raise FeedError(f"{path} is larger than {MAX_FEED_BYTES} bytes; split it.")
    return content


def _format_guess(source: str, content_type: str, content: bytes) -> str:
    suffix = Path(urlsplit(source).path).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    if "json" in content_type:
        return "json"
    if "csv" in content_type:
        return "csv"
    start = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "json" if start in (b"[", b"{") else "csv"


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FeedError(
            f"The feed is not UTF-8 text (invalid byte at offset {exc.start}); "
            "save it as UTF-8 and try again."
        ) from None


# --- CSV ----------------------------------------------------------------------------------


def _csv_feed(text: str) -> Feed:
    progress = _Progress()

    def lines():
        # newline="" keeps line breaks inside quoted cells for the csv module.
        for line in io.StringIO(text, newline=""):
            progress.consumed += len(line)
            yield line

    reader = csv.reader(lines())
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise FeedError(f"CSV header is malformed: {exc}.") from None
    if not header:
        raise FeedError("The CSV file is empty: it needs a header row of RESO field names.")
    header = [name.strip() for name in header]
    if "ListingId" not in header:
        raise FeedError(
            "The CSV header has no ListingId column; the first row must name RESO fields "
            "(ListingId, StandardStatus, ListPrice, ...)."
        )
    return Feed(records=_csv_records(reader, header), size=len(text), progress=progress)


def _csv_records(reader, header) -> Iterator[tuple[int, dict]]:
    # Row numbers are those a spreadsheet shows: the header is row 1.
    row_number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FeedError(f"CSV row {row_number + 1} is malformed: {exc}.") from None
        row_number += 1
        if not any(cells):
            continue  # a blank line, as spreadsheets leave at the end
        if len(cells) != len(header):
            yield (
                row_number,
                BadRecord(
                    f"the row has {len(cells)} cells but the header names {len(header)} columns."
                ),
            )
            continue
        yield (
            row_number,
            {name: csv_unquote(cell) for name, cell in zip(header, cells, strict=True)},
        )


# --- JSON ---------------------------------------------------------------------------------


def _json_feed(text: str) -> Feed:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FeedError(
            f"The JSON is malformed at line {exc.lineno}, column {exc.colno}: {exc.msg}."
        ) from None
    except RecursionError:
        raise FeedError("The JSON is nested too deeply to be a listing feed.") from None
    if isinstance(document, dict) and isinstance(document.get("value"), list):
        records = document["value"]
    elif isinstance(document, list):
        records = document
    else:
        raise FeedError(
            'A JSON feed must be a list of listings or a RESO envelope {"value": [...]}.'
        )
    progress = _Progress()

    def numbered():
        for number, record in enumerate(records, start=1):
            progress.consumed = number
            yield number, record

    return Feed(records=numbered(), size=len(records), progress=progress)


# --- URLs ---------------------------------------------------------------------------------


class _Deadline:
    """One overall time limit for a fetch, enforced by cutting the connection.

    A socket timeout bounds each read, not the total: a server that sends a
    byte a second never trips it, and a buffered read of 64 KiB waits for all
    of them. A timer that shuts the socket down at the deadline ends whatever
    read is blocked at that moment, however the server trickles.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False

    def remaining(self) -> float:
        left = self.at - time.monotonic()
        if left <= 0:
            self.expired = True
            raise self.error()
        return left

    def error(self) -> "FeedError":
        return FeedError(f"The download took longer than the {self.seconds:g} s allowed.")

    def watch(self, connection) -> threading.Timer:
        def cut():
            self.expired = True
            if connection.sock is not None:
                try:
                    connection.sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed

        timer = threading.Timer(self.remaining(), cut)
        timer.daemon = True
        timer.start()
        return timer


def _fetch_timeout() -> float:
    from django.conf import settings

    return getattr(settings, "IMPORT_FETCH_TIMEOUT", FETCH_TIMEOUT_SECONDS)


def url_fetch(
    url: str, *, allow_private: bool = False, timeout: float | None = None
) -> tuple[bytes, str]:
    """GET ``url`` within ``timeout`` seconds in total and a size cap; return body and type."""
    deadline = _Deadline(timeout if timeout is not None else _fetch_timeout())
    for _ in range(MAX_REDIRECTS + 1):
        with _deadline_connection(url, allow_private=allow_private, deadline=deadline) as conn:
            response = _url_request(conn, url)
            if response.status in {301, 302, 303, 307, 308}:
                location = response.getheader("Location")
                if not location:
                    raise FeedError(f"{url} redirects without a Location header.")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FeedError(f"{url} answered HTTP {response.status} {response.reason}.")
            body = _body_read(response, url)
            if deadline.expired:
                # A cut socket reads as the end of the body: never take it for the whole feed.
                raise deadline.error()
            return body, response.getheader("Content-Type", "")
    raise FeedError(f"{url} redirects more than {MAX_REDIRECTS} times.")


def address_check(url: str, *, allow_private: bool) -> str:
    """The address ``url``'s host resolves to; FeedError when it is not one Hearth may fetch."""
    return _url_target(url, allow_private=allow_private)[2]


def http_request(
    url: str,
    *,
    method: str = "GET",
    headers: dict | None = None,
    body: bytes | None = None,
    allow_private: bool = False,
    timeout: float = FETCH_TIMEOUT_SECONDS,
) -> tuple[int, bytes]:
    """One HTTP request through the same SSRF guard and overall deadline as feeds.

    Returns the status and body. No redirects are followed (an API answer,
    not a document). Network errors, the deadline and a body over the size
    cap raise FeedError.
    """
    deadline = _Deadline(timeout)
    with _deadline_connection(url, allow_private=allow_private, deadline=deadline) as connection:
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request(
            method, path, body=body, headers={"User-Agent": "Hearth", **(headers or {})}
        )
        response = connection.getresponse()
        content = _body_read(response, url)
        if deadline.expired:
            raise deadline.error()
        return response.status, content


@contextlib.contextmanager
def _deadline_connection(url, *, allow_private, deadline):
    """A connection to ``url`` that the deadline cuts; its failures become FeedError.

    Once the deadline has cut the socket, whatever failed is reported as the
    deadline, not as the broken read it caused.
    """
    connection = _url_connection(url, allow_private=allow_private, deadline=deadline)
    watchdog = deadline.watch(connection)
    try:
        yield connection
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if deadline.expired:
            raise deadline.error() from None
        raise FeedError(f"Reading {url} failed: {exc}.") from None
    except FeedError:
        if deadline.expired:
            raise deadline.error() from None
        raise
    finally:
        watchdog.cancel()
        connection.close()


def _url_target(url, *, allow_private):
    """(host, port, address, connection class) of ``url``, through the SSRF guard."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"} or not parts.hostname:
        raise FeedError(f"Only http and https URLs can be imported, not {url!r}.")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise FeedError(f"{url} has an invalid port.") from None
    address = _address_resolve(parts.hostname, port, allow_private=allow_private)
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    return parts.hostname, port, address, connection_class


def _url_connection(url, *, allow_private, deadline):
    host, port, address, connection_class = _url_target(url, allow_private=allow_private)
    # Each socket operation also times out by the deadline (connect, TLS), so
    # the watchdog only has to cut reads already under way.
    return connection_class(host, port, address=address, timeout=deadline.remaining())


def _url_request(connection, url):
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request(
            "GET", path, headers={"User-Agent": "Hearth import_listings", "Accept": "*/*"}
        )
        return connection.getresponse()
    except (OSError, http.client.HTTPException) as exc:
        raise FeedError(f"Fetching {url} failed: {exc}.") from None


def _address_resolve(host: str, port: int, *, allow_private: bool) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FeedError(f"Cannot resolve {host}: {exc}.") from None
    addresses = [info[4][0] for info in infos]
    if not allow_private:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if not ip.is_global or ip.is_multicast:
                raise FeedError(
                    f"{host} resolves to {ip}, a private, loopback or link-local address; "
                    "imports refuse those unless --allow-private is given."
                )
    return addresses[0]


def _body_read(response, url) -> bytes:
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) > MAX_FEED_BYTES:
        raise FeedError(f"{url} is {length} bytes, more than the {MAX_FEED_BYTES} allowed.")
    chunks, size = [], 0
    while chunk := response.read(64 * 1024):
        size += len(chunk)
        if size > MAX_FEED_BYTES:
            raise FeedError(f"{url} is more than the {MAX_FEED_BYTES} bytes allowed.")
        chunks.append(chunk)
    return b"".join(chunks)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever DNS answers next."""

    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.checked_address = address

    def connect(self):
        self.sock = socket.create_connection((self.checked_address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.checked_address = address

    def connect(self):
        sock = socket.create_connection((self.checked_address, self.port), self.timeout)
        # The certificate is checked against the host name, not the address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
