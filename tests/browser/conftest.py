"""A real Chromium (Debian's package) driven by Playwright against pytest-django's live server.

Playwright's browser downloader is never used: the tests launch
``/usr/bin/chromium`` (or ``$CHROMIUM``). Without Chromium the tests are
skipped, unless ``HEARTH_REQUIRE_BROWSER`` is set (CI sets it), in which case
they fail. Set ``HEARTH_SCREENSHOTS=1`` to refresh the screenshots in docs/.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _request_failed(errors, request):
    # A request the browser cancelled is not a failure: the admin's autocomplete
    # aborts the search a newer keystroke replaces, and leaving a page aborts the
    # images it was still loading. A missing file is no ERR_ABORTED: its 404 is
    # a console error, which fails the test. Anything else is a failure.
    if request.failure == "net::ERR_ABORTED":
        return
    errors.append(f"request failed: {request.url} ({request.failure})")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("HEARTH_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh page that records JavaScript errors; a test fails if any occurred."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("requestfailed", lambda request: _request_failed(errors, request))
    page.on(
        "console",
        lambda message: (
            errors.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    page.js_errors = errors
    yield page
    context.close()
    assert errors == [], "JavaScript errors in the browser"


@pytest.fixture
def screenshot():
    """Save a full-page screenshot to docs/screenshots/ when HEARTH_SCREENSHOTS is set."""

    def take(page, name):
        if os.environ.get("HEARTH_SCREENSHOTS"):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=False)

    return take
