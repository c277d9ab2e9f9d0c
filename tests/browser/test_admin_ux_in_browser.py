"""The admin a staff member would choose, in a real browser at 1280 px: no sideways scroll,
no console error, every feature of issue 17 this branch delivers exercised once."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from properties.factories import InquiryFactory, PropertyFactory, PropertyPhotoFactory
from properties.models import Inquiry, ListingChange, Property
from tests.properties.uploads import jpeg
from users.factories import DEFAULT_PASSWORD, AgentFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)

# null while a navigation has a new document that has no element yet.
NO_SIDEWAYS_SCROLL = (
    "document.documentElement ? "
    "document.documentElement.scrollWidth <= document.documentElement.clientWidth : null"
)


@pytest.fixture
def staff_page(page):
    staff = StaffFactory(username="ops", first_name="Olive", last_name="Ops", is_superuser=True)
    page.goto("/admin/login/")
    page.fill("#id_username", staff.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    return page


def fits(page):
    # A click that navigates can return before the next document has any element, or
    # the page can move on while it is measured: measure again once it has loaded.
    # (Not wait_for_function: it evaluates a string, which the admin's CSP refuses.)
    for _ in range(5):
        page.wait_for_load_state()
        try:
            no_sideways_scroll = page.evaluate(NO_SIDEWAYS_SCROLL)
        except PlaywrightError as error:
            if "context was destroyed" not in str(error):
                raise
            continue
        if no_sideways_scroll is not None:
            break
    assert no_sideways_scroll, wide_elements(page)


def test_dashboard_answers_the_morning_questions(staff_page):
    agent = AgentFactory(first_name="Rita", last_name="Moreno")
    for price in ("400000", "520000", "610000"):
        PropertyFactory(
            listing_agent=agent,
            price=Decimal(price),
            status="active",
            listed_at=timezone.localdate(),
        )
    PropertyFactory(listing_agent=agent, status="pending", listed_at=timezone.localdate())
    InquiryFactory(name="Dana Lead", property=Property.objects.first())
    page = staff_page

    page.goto("/admin/")

    expect(page.locator("#dash-listings-today")).to_have_text("4")
    expect(page.locator("#dash-inquiries-today")).to_have_text("1")
    expect(page.locator("#dash-leads-waiting")).to_have_text("1")
    expect(page.locator("#dash-leads")).to_contain_text("Dana Lead")
    expect(page.locator("#dash-by-status")).to_contain_text("Pending")
    expect(page.locator("#dash-sync")).to_contain_text("No sync sources configured.")
    # Chart.js drew the chart from the page's own data (the vendored file, no CDN).
    page.wait_for_function("window.Chart && Chart.getChart('dash-median-chart')")
    points = page.evaluate("Chart.getChart('dash-median-chart').data.datasets[0].data")
    assert len(points) == 1
    # Hearth's apps lead the index; Groups and Tokens follow.
    apps = page.locator("#content-main .module caption").all_inner_texts()
    assert apps[0].lower().startswith("properties")
    fits(page)

    page.emulate_media(color_scheme="dark")
    page.reload()
    page.wait_for_function("window.Chart && Chart.getChart('dash-median-chart')")
    fits(page)
    # The dashboard's screenshots are taken with sync and import runs on it
    # (test_admin_imports_in_browser.py).


def test_listings_changelist_fits_with_money_names_and_address_search(staff_page, screenshot):
    brian = AgentFactory(first_name="Brian", last_name="Mitchell", username="agent15")
    PropertyFactory(
        street_address="3170 Lincoln Way",
        city="Austin",
        price=Decimal("752000"),
        listing_agent=brian,
        mls_number="MLS-3170",
    )
    PropertyFactory.create_batch(8, listing_agent=brian)
    page = staff_page

    page.goto("/admin/properties/property/")
    fits(page)
    expect(page.locator("#result_list")).to_contain_text("$752,000")
    expect(page.locator("#result_list")).to_contain_text("Brian Mitchell")
    # Every column, the last one included, is visible left of the filters: nothing cut off.
    last = page.locator("#result_list th.column-updated_display").bounding_box()
    results = page.locator("#changelist .results").bounding_box()
    filters = page.locator("#changelist-filter").bounding_box()
    assert last["x"] + last["width"] <= results["x"] + results["width"] + 1
    assert last["x"] + last["width"] <= filters["x"]
    screenshot(page, "admin-listings")

    page.fill("#searchbar", "3170 Lincoln Way, Austin")
    page.press("#searchbar", "Enter")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text("MLS-3170")


def test_agent_autocomplete_finds_a_part_of_the_name(staff_page):
    AgentFactory(first_name="Brian", last_name="Mitchell", username="agent15")
    listing = PropertyFactory(listing_agent=None)
    page = staff_page

    page.goto(f"/admin/properties/property/{listing.pk}/change/")
    page.click("#id_listing_agent + .select2")
    # One input event (typing key by key makes Select2 cancel its earlier requests).
    page.locator(".select2-search__field").fill("Mitch")
    option = page.locator(".select2-results__option", has_text="Brian Mitchell")
    expect(option).to_have_count(1)
    option.click()
    expect(page.locator("#select2-id_listing_agent-container")).to_contain_text("Brian Mitchell")


def test_change_page_photos_history_and_map(staff_page, screenshot, tmp_path):
    """The page fits 1280 px even with photos and history; nothing is fetched for the map."""
    listing = PropertyFactory(price=Decimal("500000"), latitude=30.2672, longitude=-97.7431)
    first, second = (PropertyPhotoFactory(property=listing, position=n) for n in range(2))
    page = staff_page
    url = f"/admin/properties/property/{listing.pk}/change/"

    page.goto(url)
    fits(page)
    expect(page.locator(".hearth-coords")).to_have_text("30.26720, -97.74310")

    # Drag the second photo above the first, add three photos at once, reprice.
    rows = page.locator("#photos-group tr.has_original")
    rows.nth(1).drag_to(rows.nth(0))
    expect(page.locator("#id_photo_order")).to_have_value(f"{second.pk},{first.pk}")
    files = []
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        path = tmp_path / name
        path.write_bytes(jpeg(name).read())
        files.append(str(path))
    page.set_input_files("#id_add_photos", files)
    page.fill("#id_price", "455000.00")
    page.click("input[name=_continue]")

    expect(page.locator(".messagelist .success")).to_have_count(1)
    ordered = list(listing.photos.values_list("pk", flat=True))
    assert ordered[:2] == [second.pk, first.pk] and len(ordered) == 5
    assert list(listing.photos.values_list("position", flat=True)) == [0, 1, 2, 3, 4]
    expect(page.locator(".hearth-history")).to_contain_text("admin: Olive Ops (ops)")
    expect(page.locator("#price_changes-group")).to_contain_text("admin: Olive Ops (ops)")
    fits(page)
    page.locator(".hearth-history").scroll_into_view_if_needed()
    screenshot(page, "admin-listing-history")


def test_bulk_mark_sold_asks_for_date_and_price(staff_page, screenshot):
    chosen = PropertyFactory.create_batch(2, status="active")
    page = staff_page

    page.goto("/admin/properties/property/")
    for listing in chosen:
        page.check(f"input[name=_selected_action][value='{listing.pk}']")
    page.select_option("select[name=action]", "mark_sold")
    page.click("button[name=index]")

    expect(page.locator("h1")).to_have_text("Mark listings sold")
    fits(page)
    page.click("input[name=apply]")  # nothing filled in: refused, nothing changed
    expect(page.locator(".errorlist")).to_have_count(2)
    assert not Property.objects.filter(status="sold").exists()
    page.fill("#id_sold_at", "2026-11-30")
    page.fill("#id_sold_price", "640000")
    screenshot(page, "admin-mark-sold")
    page.click("input[name=apply]")

    expect(page.locator(".messagelist")).to_contain_text("2 listing(s) marked sold.")
    assert Property.objects.filter(status="sold", sold_price=Decimal("640000")).count() == 2
    assert ListingChange.objects.filter(context__startswith="admin bulk action").count() == 2


def test_leads_are_filtered_and_answered(staff_page, screenshot):
    rita = AgentFactory(first_name="Rita", last_name="Moreno")
    lead = InquiryFactory(property=PropertyFactory(listing_agent=rita), name="Dana Lead")
    InquiryFactory(name="Someone Else")
    page = staff_page

    page.goto("/admin/properties/inquiry/?answered=no")
    page.get_by_role("link", name="Rita Moreno").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    fits(page)
    screenshot(page, "admin-leads")
    page.goto(f"/admin/properties/inquiry/{lead.pk}/change/")
    page.check("#id_answered")
    page.click("input[name=_save]")

    expect(page.locator(".messagelist .success")).to_have_count(1)
    lead.refresh_from_db()
    assert lead.answered_at is not None
    assert Inquiry.objects.filter(answered_at__isnull=True).count() == 1

    page.goto("/admin/properties/favorite/")
    fits(page)


def wide_elements(page):
    """Elements past the right edge: printed when a page scrolls sideways."""
    return page.evaluate(
        """() => { const w = document.documentElement.clientWidth; const out = [];
        for (const el of document.querySelectorAll('body *')) {
          const r = el.getBoundingClientRect();
          if (r.right > w + 1 && r.width > 0)
            out.push(`${el.tagName}#${el.id}.${el.className} ${r.left}-${r.right}`);
        }
        return out.slice(0, 12); }"""
    )
