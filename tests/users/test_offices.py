"""Offices (brokerages): the user's brokerage is its office's name, set by staff only."""

import pytest

from users.factories import AgentFactory, OfficeFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_an_agents_public_profile_names_their_brokerage_and_office(api_client):
    office = OfficeFactory(name="Lakes Area Realty")
    agent = AgentFactory(office=office)

    body = api_client.get(f"/api/users/{agent.pk}/").json()

    assert (body["brokerage"], body["office"]) == ("Lakes Area Realty", office.pk)


def test_without_an_office_the_brokerage_is_blank(api_client):
    agent = AgentFactory(office=None)

    body = api_client.get(f"/api/users/{agent.pk}/").json()

    assert (body["brokerage"], body["office"]) == ("", None)


def test_a_user_cannot_change_their_brokerage_or_office(api_client):
    office, other = OfficeFactory(name="Mine"), OfficeFactory(name="Theirs")
    agent = AgentFactory(office=office)
    api_client.force_authenticate(agent)

    response = api_client.patch(
        "/api/users/me/", {"brokerage": "Theirs", "office": other.pk}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["brokerage"] == "Mine"
    agent.refresh_from_db()
    assert agent.office == office


def test_the_staff_user_list_costs_the_same_queries_whatever_the_number_of_offices(
    api_client, django_assert_max_num_queries
):
    api_client.force_authenticate(StaffFactory())
    AgentFactory.create_batch(3)
    with django_assert_max_num_queries(10) as few:
        api_client.get("/api/users/")
    AgentFactory.create_batch(10)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api_client.get("/api/users/")

    assert response.json()["count"] == 14


def test_offices_are_managed_in_the_admin(admin_client):
    OfficeFactory(name="Lakes Area Realty")
    OfficeFactory(name="Bluff Homes")

    response = admin_client.get("/admin/users/office/", {"q": "lakes"})

    assert response.status_code == 200
    assert [o.name for o in response.context["cl"].result_list] == ["Lakes Area Realty"]


def test_staff_choose_an_agents_office_in_the_admin_by_autocomplete(admin_client):
    agent = AgentFactory(office=None)

    page = admin_client.get(f"/admin/users/user/{agent.pk}/change/")

    assert page.status_code == 200
    widget = page.context["adminform"].form.fields["office"].widget
    assert type(widget).__name__ == "RelatedFieldWidgetWrapper"
    assert type(widget.widget).__name__ == "AutocompleteSelect"
