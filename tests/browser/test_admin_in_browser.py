"""Staff work in the admin, in a real browser."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from properties.factories import PropertyFactory
from properties.models import Property
from users.factories import DEFAULT_PASSWORD, AgentFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff_page(page):
    staff = StaffFactory(username="ops", is_superuser=True)
    page.goto("/admin/login/")
    page.fill("#id_username", staff.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    return page


def test_staff_filters_opens_and_reprices_a_listing(staff_page, screenshot):
    agent = AgentFactory(first_name="Rita", last_name="Moreno")
    target = PropertyFactory(
        status="pending", listing_agent=agent, price=Decimal("500000.00"), mls_number="PEND-1"
    )
    PropertyFactory.create_batch(3, status="active", listing_agent=agent)
    page = staff_page

    page.goto("/admin/properties/property/")
    page.get_by_role("link", name="Pending", exact=True).click()
    page.wait_for_url("**status__exact=pending**")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    screenshot(page, "admin-listings")
    page.get_by_role("link", name="PEND-1").click()
    page.fill("#id_price", "455000.00")
    page.click("input[name=_continue]")

    expect(page.locator(".messagelist .success")).to_have_count(1)
    history = page.locator("#price_changes-group")
    assert "$500,000" in history.inner_text()
    assert "$455,000" in history.inner_text()
    assert "(ops)" in history.inner_text()  # changed by
    target.refresh_from_db()
    assert target.price == Decimal("455000.00")
    history.scroll_into_view_if_needed()
    screenshot(page, "admin-listing-change")


def test_staff_bulk_changes_status(staff_page):
    chosen = PropertyFactory.create_batch(2, status="active")
    PropertyFactory(status="active")
    page = staff_page

    page.goto("/admin/properties/property/")
    for listing in chosen:
        page.check(f"input[name=_selected_action][value='{listing.pk}']")
    page.select_option("select[name=action]", "mark_withdrawn")
    page.click("button[name=index]")

    expect(page.locator(".messagelist")).to_contain_text("2 listing(s) marked withdrawn.")
    assert set(Property.objects.filter(status="withdrawn").values_list("pk", flat=True)) == {
        listing.pk for listing in chosen
    }
