"""Leads in the admin and the API: inquiries answered, favourites listed."""

import pytest
from django.utils import timezone

from properties.factories import FavoriteFactory, InquiryFactory, PropertyFactory
from properties.models import Inquiry
from users.factories import AgentFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(StaffFactory(is_superuser=True))
    return client


class TestInquiryAdmin:
    def test_filters_by_answered_and_agent(self, admin_client):
        rita = AgentFactory(first_name="Rita", last_name="Moreno")
        waiting = InquiryFactory(property=PropertyFactory(listing_agent=rita), name="Waiting")
        InquiryFactory(property=PropertyFactory(listing_agent=rita), answered_at=timezone.now())
        InquiryFactory(name="Other agent")

        response = admin_client.get(
            "/admin/properties/inquiry/",
            {"answered": "no", "agent": rita.pk},
        )

        assert [row.pk for row in response.context["cl"].result_list] == [waiting.pk]
        assert "Moreno" in response.content.decode()

    def test_changelist_queries_do_not_grow_with_rows(
        self, admin_client, django_assert_max_num_queries
    ):
        InquiryFactory.create_batch(15)
        with django_assert_max_num_queries(9):
            response = admin_client.get("/admin/properties/inquiry/")
        assert response.status_code == 200

    def test_mark_answered_action_and_undo(self, admin_client):
        first, second = InquiryFactory.create_batch(2)

        response = admin_client.post(
            "/admin/properties/inquiry/",
            {"action": "mark_answered", "_selected_action": [first.pk]},
            follow=True,
        )

        assert "1 inquiry(ies) marked answered." in response.content.decode()
        assert list(
            Inquiry.objects.filter(answered_at__isnull=False).values_list("pk", flat=True)
        ) == [first.pk]
        admin_client.post(
            "/admin/properties/inquiry/", {"action": "mark_waiting", "_selected_action": [first.pk]}
        )
        assert Inquiry.objects.filter(answered_at__isnull=False).count() == 0


class TestFavoriteAdmin:
    def test_lists_favourites_with_the_listing_agent(
        self, admin_client, django_assert_max_num_queries
    ):
        agent = AgentFactory(first_name="Brian", last_name="Mitchell")
        FavoriteFactory.create_batch(3, property=PropertyFactory(listing_agent=agent))
        with django_assert_max_num_queries(9):
            response = admin_client.get("/admin/properties/favorite/")
        assert response.content.decode().count("Brian Mitchell") >= 3


class TestAnsweredApi:
    def test_the_listing_agent_marks_an_inquiry_answered(self, api_client):
        agent = AgentFactory()
        inquiry = InquiryFactory(property=PropertyFactory(listing_agent=agent))
        api_client.force_authenticate(agent)

        response = api_client.post(
            f"/api/inquiries/{inquiry.pk}/answered/", {"answered": True}, format="json"
        )

        assert response.status_code == 200
        assert response.json()["answered_by"] == agent.pk
        inquiry.refresh_from_db()
        assert inquiry.answered_by == agent and inquiry.answered_at is not None

    def test_the_sender_may_not(self, api_client):
        sender = UserFactory()
        inquiry = InquiryFactory(sender=sender)
        api_client.force_authenticate(sender)

        response = api_client.post(
            f"/api/inquiries/{inquiry.pk}/answered/", {"answered": True}, format="json"
        )

        assert response.status_code == 403
        inquiry.refresh_from_db()
        assert inquiry.answered_at is None

    def test_missing_answered_is_refused_naming_the_field(self, api_client):
        inquiry = InquiryFactory()
        api_client.force_authenticate(StaffFactory())

        response = api_client.post(f"/api/inquiries/{inquiry.pk}/answered/", {}, format="json")

        assert response.status_code == 400
        assert "answered" in response.json()
        inquiry.refresh_from_db()
        assert inquiry.answered_at is None
