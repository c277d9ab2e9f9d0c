"""Issue 17's last parts in a real browser at 1280 px: imports from a file, the dashboard's
sync and import health, open houses inline, and a sweep of every admin page staff use for
sideways scrolling and console errors."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from imports.factories import ImportRunFactory
from imports.models import ImportRun
from mls.factories import MlsSourceFactory, SyncRunFactory
from properties.factories import InquiryFactory, PropertyFactory
from properties.models import ListingChange, OpenHouse, Property
from tests.browser import test_admin_ux_in_browser as ux
from tests.imports.feeds import csv_bytes, mixed_feed
from tests.properties.command_helpers import reso_row

pytestmark = pytest.mark.django_db(transaction=True)

staff_page = ux.staff_page  # the signed-in superuser "Olive Ops (ops)"
fits = ux.fits


def test_staff_import_a_file_and_read_its_summary_and_row_errors(
    staff_page, embedded, screenshot, tmp_path
):
    PropertyFactory(mls_number="GOOD-1", price="400000.00")
    feed = tmp_path / "may-listings.csv"
    feed.write_bytes(mixed_feed())
    page = staff_page

    page.goto("/admin/")
    page.get_by_role("link", name="Import listings from a file").click()
    fits(page)
    page.set_input_files("#id_file", str(feed))
    page.click("input[type=submit]")

    # The run page follows the job and ends on the command's summary and row errors.
    expect(page.locator("#import-summary")).to_have_text(
        "created 1, updated 1, unchanged 0, failed 2", timeout=30_000
    )
    expect(page.locator("#import-status")).to_have_text("Succeeded")
    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_have_text("3NO-CITYCity: This field may not be blank.")
    expect(errors.nth(1)).to_contain_text("ListPrice: A valid number is required.")
    fits(page)
    screenshot(page, "admin-import")

    run = ImportRun.objects.get()
    assert Property.objects.get(mls_number="GOOD-1").price == 450000
    # The listing's own page names the import in its history.
    listing = Property.objects.get(mls_number="GOOD-1")
    assert ListingChange.objects.filter(property=listing).count() == 1
    page.goto(f"/admin/properties/property/{listing.pk}/change/")
    expect(page.locator(".hearth-history")).to_contain_text(
        f"admin import: Olive Ops (ops), file may-listings.csv (import run {run.pk})"
    )


def test_a_file_that_is_not_a_feed_is_refused_on_the_form(staff_page, embedded, tmp_path):
    feed = tmp_path / "export.csv"
    feed.write_bytes("ListingId,City\nA1,Cañon\n".encode("latin-1"))
    page = staff_page

    page.goto("/admin/imports/importrun/add/")
    page.set_input_files("#id_file", str(feed))
    page.click("input[type=submit]")

    expect(page.locator(".errorlist")).to_contain_text(
        "The feed is not UTF-8 text (invalid byte at offset 20); save it as UTF-8 and try again."
    )
    fits(page)
    assert ImportRun.objects.count() == 0


def test_the_run_page_shows_progress_while_the_import_runs(staff_page):
    run = ImportRunFactory(status="running", progress=0.4, created=120, file_name="big.csv")
    page = staff_page

    page.goto(f"/admin/imports/importrun/{run.pk}/change/")
    expect(page.locator("#import-percent")).to_have_text("40%")
    expect(page.locator("#import-counts")).to_have_text(
        "created 120, updated 0, unchanged 0, failed 0"
    )
    # The poll picks up the worker's progress, then the end.
    ImportRun.objects.filter(pk=run.pk).update(progress=0.75, created=200)
    expect(page.locator("#import-percent")).to_have_text("75%")
    expect(page.locator("#import-counts")).to_contain_text("created 200")
    ImportRun.objects.filter(pk=run.pk).update(
        status="succeeded", progress=1.0, summary="created 260, updated 0, unchanged 0, failed 0"
    )
    expect(page.locator("#import-summary")).to_have_text(
        "created 260, updated 0, unchanged 0, failed 0"
    )
    fits(page)


def test_dashboard_shows_sync_and_import_health(staff_page, screenshot):
    listing = PropertyFactory(status="active", listed_at=timezone.localdate())
    InquiryFactory(name="Dana Lead", property=listing)
    good = MlsSourceFactory(name="Austin Board MLS")
    SyncRunFactory(source=good, status="succeeded", created=340, updated=12)
    bad = MlsSourceFactory(name="Hill Country MLS")
    failed = SyncRunFactory(
        source=bad, status="failed", message="The source answered 401: check the client secret."
    )
    MlsSourceFactory(name="Lakeway MLS")
    ImportRunFactory(file_name="may-listings.csv", status="succeeded", created=2, failed=2)
    ImportRunFactory(file_name="june-listings.csv", status="running", progress=0.3, created=80)
    page = staff_page

    page.goto("/admin/")

    sources = page.locator("#dash-sync-sources tbody tr")
    expect(sources).to_have_count(3)
    expect(sources.nth(0)).to_contain_text("Austin Board MLS")
    expect(sources.nth(0)).to_contain_text("Succeeded")
    expect(sources.nth(0)).to_contain_text("created 340, updated 12")
    expect(sources.nth(1)).to_contain_text("Failed")
    expect(sources.nth(1)).to_contain_text("check the client secret")
    expect(sources.nth(2)).to_contain_text("Never synced")
    imports = page.locator("#dash-imports tbody tr")
    expect(imports).to_have_count(2)
    expect(imports.nth(0)).to_contain_text("june-listings.csv")
    expect(imports.nth(0)).to_contain_text("Running")
    expect(imports.nth(1)).to_contain_text("created 2, updated 0, unchanged 0, failed 2")
    page.wait_for_function("window.Chart && Chart.getChart('dash-median-chart')")
    fits(page)
    screenshot(page, "admin-dashboard")
    page.locator("#dash-sync").scroll_into_view_if_needed()
    screenshot(page, "admin-dashboard-health")

    # A run's health links to the run.
    sources.nth(1).get_by_role("link", name="Failed").click()
    page.wait_for_url(f"**/admin/mls/syncrun/{failed.pk}/change/")
    fits(page)

    page.emulate_media(color_scheme="dark")
    page.goto("/admin/")
    page.wait_for_function("window.Chart && Chart.getChart('dash-median-chart')")
    fits(page)
    screenshot(page, "admin-dashboard-dark")


def test_open_houses_are_added_inline(staff_page):
    listing = PropertyFactory()
    page = staff_page

    page.goto(f"/admin/properties/property/{listing.pk}/change/")
    page.locator("#open_houses-group .add-row a").click()
    page.fill("#id_open_houses-0-date", "2026-12-12")
    page.fill("#id_open_houses-0-start_time", "10:00")
    page.fill("#id_open_houses-0-end_time", "12:00")
    fits(page)
    page.click("input[name=_continue]")

    expect(page.locator(".messagelist .success")).to_have_count(1)
    visit = OpenHouse.objects.get(property=listing)
    assert (visit.date, visit.start_time, visit.end_time) == (
        datetime.date(2026, 12, 12),
        datetime.time(10),
        datetime.time(12),
    )


def test_every_admin_page_staff_use_fits_1280_px_without_console_errors(staff_page):
    listing = PropertyFactory()
    lead = InquiryFactory(property=listing)
    source = MlsSourceFactory(name="Austin Board MLS")
    sync = SyncRunFactory(source=source, status="failed", message="timeout " * 30)
    long_error = {"row": 2, "listing_id": "X" * 40, "reason": "City: " + "too long " * 40}
    run = ImportRunFactory(file_name="a-rather-long-file-name-" * 4 + ".csv", errors=[long_error])
    urls = [
        "/admin/",
        "/admin/properties/property/",
        f"/admin/properties/property/{listing.pk}/change/",
        "/admin/properties/inquiry/",
        f"/admin/properties/inquiry/{lead.pk}/change/",
        "/admin/properties/favorite/",
        "/admin/imports/importrun/",
        "/admin/imports/importrun/add/",
        f"/admin/imports/importrun/{run.pk}/change/",
        "/admin/mls/mlssource/",
        "/admin/mls/mlssource/add/",
        f"/admin/mls/mlssource/{source.pk}/change/",
        "/admin/mls/syncrun/",
        f"/admin/mls/syncrun/{sync.pk}/change/",
    ]
    page = staff_page
    wide = {}
    for url in urls:
        page.goto(url)
        if not page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        ):
            wide[url] = page.evaluate("document.documentElement.scrollWidth")
    assert wide == {}
    # (the page fixture fails the test on any console error or failed request)


def test_a_bare_csv_upload_is_imported_end_to_end(staff_page, embedded, tmp_path):
    feed = tmp_path / "one.csv"
    feed.write_bytes(csv_bytes([reso_row("ONE-1")]))
    page = staff_page

    page.goto("/admin/imports/importrun/add/")
    page.set_input_files("#id_file", str(feed))
    page.click("input[type=submit]")

    expect(page.locator("#import-summary")).to_have_text(
        "created 1, updated 0, unchanged 0, failed 0", timeout=30_000
    )
    expect(page.locator("#import-errors")).to_have_count(0)
    assert Property.objects.filter(mls_number="ONE-1").exists()


def test_a_file_over_the_limit_is_stopped_before_it_is_sent(staff_page, settings, tmp_path):
    settings.IMPORT_UPLOAD_MAX_BYTES = 1024 * 1024
    feed = tmp_path / "huge.csv"
    feed.write_bytes(b"ListingId\n" + b"A1\n" * 700_000)  # 2.1 MB
    page = staff_page

    page.goto("/admin/imports/importrun/add/")
    page.set_input_files("#id_file", str(feed))
    page.click("input[type=submit]")

    expect(page.locator(".hearth-size-error")).to_have_text(
        "The file is 2.0 MB; uploads are limited to 1.0 MB. "
        "Import larger feeds with manage.py import_listings."
    )
    assert page.url.endswith("/admin/imports/importrun/add/")
    assert ImportRun.objects.count() == 0
