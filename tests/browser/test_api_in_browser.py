"""A client developer explores the browsable API and the docs, in a real browser.

Every test runs under the production Content-Security-Policy, and the ``page``
fixture fails a test on any console error, page error or failed request.
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from properties.factories import PropertyFactory
from users.factories import DEFAULT_PASSWORD, AgentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, user):
    page.goto("/api-auth/login/?next=/api/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("[type=submit]")
    page.wait_for_url("**/api/")


def test_landing_page_links_the_api_its_docs_and_the_admin(page):
    page.goto("/")

    links = {
        page.locator("main a").nth(i).get_attribute("href")
        for i in range(page.locator("main a").count())
    }
    assert links == {"/api/", "/api/docs/", "/api/redoc/", "/api/schema/", "/admin/"}
    page.get_by_role("link", name="Browsable API").click()
    page.wait_for_url("**/api/")


def test_browsable_api_lists_listings_and_filters_them(page, screenshot):
    PropertyFactory(city="Denver", mls_number="DEN-1")
    PropertyFactory(city="Boston", mls_number="BOS-1")

    page.goto("/api/properties/")
    body = page.locator(".response-info").inner_text()
    assert "DEN-1" in body and "BOS-1" in body
    screenshot(page, "api-properties")

    page.get_by_role("button", name="Filters").click()
    dialog = page.locator("#filtersModal")
    dialog.locator("input[name=city]").fill("denver")
    dialog.locator("[type=submit]").click()

    page.wait_for_url("**city=denver**")
    expect(page.locator(".response-info")).to_contain_text("DEN-1")
    assert "BOS-1" not in page.locator(".response-info").inner_text()


def test_filters_form_multi_selects_and_sends_only_filled_fields(page):
    PropertyFactory(status="active", city="Denver", mls_number="ACT-1")
    PropertyFactory(status="pending", city="Denver", mls_number="PEN-1")
    PropertyFactory(status="sold", city="Denver", mls_number="SLD-1")

    page.goto("/api/properties/")
    page.get_by_role("button", name="Filters").click()
    dialog = page.locator("#filtersModal")
    status = dialog.locator("select[name=status]")
    assert status.get_attribute("multiple") is not None
    assert dialog.locator("select[name=property_type]").get_attribute("multiple") is not None
    status.select_option(["active", "pending"])
    dialog.locator("input[name=city]").fill("denver")
    dialog.locator("[type=submit]").click()

    page.wait_for_url(re.compile(r".*city=denver.*"))
    assert parse_qs(urlsplit(page.url).query) == {
        "status": ["active", "pending"],
        "city": ["denver"],
    }
    body = page.locator(".response-info").inner_text()
    assert "ACT-1" in body and "PEN-1" in body and "SLD-1" not in body


def test_signed_in_pages_work_and_log_out_logs_out(page):
    agent = AgentFactory(username="rita")
    listing = PropertyFactory(listing_agent=agent)
    sign_in(page, agent)

    for path in ("/api/", "/api/properties/", f"/api/properties/{listing.pk}/", "/api/users/me/"):
        page.goto(path)
        expect(page.locator(".navbar .dropdown-toggle")).to_contain_text("rita")
    page.locator(".navbar .dropdown-toggle").click()
    page.get_by_role("button", name="Log out").click()

    page.wait_for_url(re.compile(r".*/api/$"))
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    page.goto("/api/properties/")
    assert page.locator(".navbar .dropdown-toggle").count() == 0


def test_admin_view_site_goes_to_the_landing_page(page):
    from users.factories import StaffFactory

    staff = StaffFactory(username="ops", is_superuser=True)
    page.goto("/admin/login/")
    page.fill("#id_username", staff.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")

    page.get_by_role("link", name="View site").click()

    page.wait_for_url(re.compile(r".*/$"))
    expect(page.locator("h1")).to_have_text("Hearth")


def test_swagger_ui_lists_the_operations_offline(page, screenshot):
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/api/docs/")
    page.wait_for_selector(".opblock-summary-path")
    page.wait_for_load_state("networkidle")

    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/properties/" in paths
    assert "/api/auth/token/" in paths
    origin = page.url.split("/api/")[0]
    assert [url for url in requested if not url.startswith((origin, "blob:", "data:"))] == []
    screenshot(page, "api-docs")


def test_redoc_renders_offline(page):
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/api/redoc/")
    page.wait_for_selector("text=Hearth API")
    page.wait_for_load_state("networkidle")

    assert page.locator("text=/api/properties/").count() > 0
    origin = page.url.split("/api/")[0]
    assert [url for url in requested if not url.startswith((origin, "blob:", "data:"))] == []


def _pages(listing, agent):
    return [
        "/",
        "/api/",
        "/api/properties/",
        f"/api/properties/{listing.pk}/",
        f"/api/properties/{listing.pk}/price-history/",
        f"/api/properties/{listing.pk}/valuation/",
        f"/api/properties/{listing.pk}/photos/",
        "/api/market-stats/?status=active",
        f"/api/users/{agent.pk}/",
        "/api/docs/",
        "/api-auth/login/",
    ]


SIGNED_IN_PAGES = ["/api/favorites/", "/api/inquiries/", "/api/users/me/"]


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
def test_every_page_loads_without_a_console_error(page, signed_in):
    agent = AgentFactory(username="rita")
    listing = PropertyFactory(listing_agent=agent)
    pages = _pages(listing, agent)
    if signed_in:
        sign_in(page, agent)
        pages += SIGNED_IN_PAGES

    for path in pages:
        response = page.goto(path)
        page.wait_for_load_state("networkidle")
        assert response.status == 200, path
    # The page fixture fails the test on any console error, page error or failed request.


def test_agent_creates_a_listing_from_the_raw_data_form(page):
    agent = AgentFactory(username="rita")
    sign_in(page, agent)
    body = (
        '{"property_type": "residential", "street_address": "1 Raw St", "city": "Austin", '
        '"state": "TX", "postal_code": "78701", "price": "350000.00"}'
    )

    page.goto("/api/properties/")
    form = page.locator("#post-generic-content-form")
    assert form.locator("select[name=_content_type]").input_value() == "application/json"
    form.locator("textarea[name=_content]").fill(body)
    form.get_by_role("button", name="POST").click()

    expect(page.locator(".response-info")).to_contain_text("HTTP 201 Created")
    expect(page.locator(".response-info")).to_contain_text("1 Raw St")
    assert agent.listings.filter(street_address="1 Raw St").count() == 1
