"""import_listings gives a URL download one deadline in total, however the server trickles."""

import socket
import threading
import time

import pytest
from django.core.management import CommandError, call_command

from properties import feeds
from properties.models import Property

DEADLINE_SECONDS = 1.5
BYTE_INTERVAL_SECONDS = 0.2  # a byte every 0.2 s: far inside any per-read timeout


class TricklingServer:
    """Accepts connections and sends a response one byte at a time, headers or body."""

    def __init__(self, *, trickle_headers: bool):
        self.trickle_headers = trickle_headers
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._respond, args=(connection,), daemon=True).start()

    def _respond(self, connection):
        body = b"ListingId,ListPrice\n" + b"A1,100000\n" * 1000
        headers = (
            b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
        )
        fast, slow = (b"", headers + body) if self.trickle_headers else (headers, body)
        try:
            connection.recv(4096)
            connection.sendall(fast)
            for byte in slow:
                if self.stopped.is_set():
                    break
                connection.sendall(bytes([byte]))
                time.sleep(BYTE_INTERVAL_SECONDS)
        except OSError:
            pass  # the client gave up, as it should
        finally:
            connection.close()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/feed.csv"

    def stop(self):
        self.stopped.set()
        self.listener.close()


@pytest.fixture(params=[False, True], ids=["trickled-body", "trickled-headers"])
def trickling_server(request):
    server = TricklingServer(trickle_headers=request.param)
    yield server
    server.stop()


def _fetch_in_thread(url):
    outcome = {}

    def fetch():
        started = time.monotonic()
        try:
            feeds.url_fetch(url, allow_private=True)
        except feeds.FeedError as exc:
            outcome["error"] = str(exc)
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=fetch, daemon=True)
    thread.start()
    # Far past the deadline: before the fix the download ran for ~40 minutes.
    thread.join(timeout=DEADLINE_SECONDS + 10)
    return thread.is_alive(), outcome


def test_a_trickling_server_is_cut_off_at_the_overall_deadline(trickling_server, settings):
    settings.IMPORT_FETCH_TIMEOUT = DEADLINE_SECONDS

    still_running, outcome = _fetch_in_thread(trickling_server.url)

    assert not still_running, "the download outlived its deadline"
    assert outcome["error"] == "The download took longer than the 1.5 s allowed."
    assert DEADLINE_SECONDS <= outcome["seconds"] < DEADLINE_SECONDS + 1


@pytest.mark.django_db
def test_the_command_reports_the_deadline_and_imports_nothing(trickling_server, settings):
    settings.IMPORT_FETCH_TIMEOUT = DEADLINE_SECONDS

    with pytest.raises(CommandError, match=r"took longer than the 1\.5 s allowed"):
        call_command("import_listings", trickling_server.url, "--allow-private")

    assert Property.objects.count() == 0


def test_the_deadline_defaults_to_thirty_seconds(production_setting):
    assert production_setting("settings.IMPORT_FETCH_TIMEOUT") == 30.0
