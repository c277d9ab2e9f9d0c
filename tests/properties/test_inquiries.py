"""Inquiries: sending one (signed in or not), the agent's email, scoping and throttling."""

from unittest import mock

import pytest
from rest_framework.throttling import SimpleRateThrottle

from properties.factories import InquiryFactory, PropertyFactory
from properties.models import Inquiry, Property
from users.factories import AgentFactory, UserFactory

pytestmark = pytest.mark.django_db


def inquiries_url(listing):
    return f"/api/properties/{listing.pk}/inquiries/"


@pytest.fixture
def listing(agent):
    return PropertyFactory(listing_agent=agent, street_address="12 Oak St", city="Austin")


class TestSend:
    def test_signed_in_user_sends_and_the_agent_is_emailed_after_commit(
        self, client_api, user, listing, agent, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client_api.post(
                inquiries_url(listing), {"message": "Is the roof new?", "phone": "555-0100"}
            )
            assert mailoutbox == []  # not before the inquiry is committed

        assert response.status_code == 201
        inquiry = Inquiry.objects.get()
        assert (inquiry.property, inquiry.sender, inquiry.message) == (
            listing,
            user,
            "Is the roof new?",
        )
        # The account's name and email are copied so the agent knows whom to answer.
        assert (inquiry.name, inquiry.email) == (user.display_name, user.email)
        assert response.json() == {
            "id": inquiry.pk,
            "property": {
                "id": listing.pk,
                "url": f"http://testserver/api/properties/{listing.pk}/",
                "mls_number": listing.mls_number,
                "address": listing.address,
            },
            "sender": user.pk,
            "name": user.display_name,
            "email": user.email,
            "phone": "555-0100",
            "message": "Is the roof new?",
            "created_at": response.json()["created_at"],
            "answered_at": None,
            "answered_by": None,
        }
        assert len(callbacks) == 1
        assert len(mailoutbox) == 1
        email = mailoutbox[0]
        assert email.to == [agent.email]
        assert email.reply_to == [user.email]
        assert email.subject == f"Inquiry about {listing.address}"
        assert "Is the roof new?" in email.body
        assert "555-0100" in email.body

    def test_signed_in_sender_cannot_claim_another_name_or_email(
        self, client_api, user, listing, agent, mailoutbox, django_capture_on_commit_callbacks
    ):
        # Given a signed-in client who puts someone else's name and address in the body
        body = {"name": "Bank Security", "email": "security@bank.example", "message": "Hi"}

        with django_capture_on_commit_callbacks(execute=True):
            response = client_api.post(inquiries_url(listing), body)

        # Then the inquiry and the agent's Reply-To carry the account's own
        assert response.status_code == 201
        assert (response.json()["name"], response.json()["email"]) == (
            user.display_name,
            user.email,
        )
        inquiry = Inquiry.objects.get()
        assert (inquiry.name, inquiry.email) == (user.display_name, user.email)
        assert mailoutbox[0].reply_to == [user.email]
        assert "security@bank.example" not in mailoutbox[0].body
        assert "Bank Security" not in mailoutbox[0].body

    def test_anonymous_sends_with_name_and_email(
        self, api_client, listing, agent, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client.post(
                inquiries_url(listing),
                {"name": "Ada Visitor", "email": "ada@example.com", "message": "Still for sale?"},
            )

        assert response.status_code == 201
        inquiry = Inquiry.objects.get()
        assert (inquiry.sender, inquiry.name, inquiry.email) == (
            None,
            "Ada Visitor",
            "ada@example.com",
        )
        assert response.json()["sender"] is None
        assert [m.to for m in mailoutbox] == [[agent.email]]
        assert mailoutbox[0].reply_to == ["ada@example.com"]
        assert "Ada Visitor <ada@example.com>" in mailoutbox[0].body

    @pytest.mark.parametrize(
        ("data", "fields"),
        [
            ({"message": "Hello"}, ["email", "name"]),
            ({"name": "Ada", "message": "Hello"}, ["email"]),
            ({"name": "  ", "email": "ada@example.com", "message": "Hello"}, ["name"]),
            ({"name": "Ada", "email": "not-an-email", "message": "Hello"}, ["email"]),
            ({"name": "Ada", "email": "ada@example.com"}, ["message"]),
            ({"name": "Ada", "email": "ada@example.com", "message": "   "}, ["message"]),
            ({"name": "Ada", "email": "ada@example.com", "message": "x" * 5001}, ["message"]),
            ({"name": "A" * 151, "email": "ada@example.com", "message": "Hi"}, ["name"]),
            ({"name": "Ada", "email": "ada@example.com", "message": "Hi\x00"}, ["message"]),
        ],
    )
    def test_anonymous_invalid_input_is_400_keyed_by_field(
        self, api_client, listing, mailoutbox, django_capture_on_commit_callbacks, data, fields
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client.post(inquiries_url(listing), data)

        assert response.status_code == 400
        assert sorted(response.json()) == fields
        assert not Inquiry.objects.exists()
        assert mailoutbox == []

    def test_signed_in_user_needs_a_message(self, client_api, listing):
        response = client_api.post(inquiries_url(listing), {})

        assert response.status_code == 400
        assert list(response.json()) == ["message"]
        assert not Inquiry.objects.exists()

    @pytest.mark.parametrize("status", [Property.Status.WITHDRAWN, Property.Status.EXPIRED])
    def test_hidden_listing_is_404(self, client_api, status):
        hidden = PropertyFactory(status=status)

        response = client_api.post(inquiries_url(hidden), {"message": "Hello"})

        assert response.status_code == 404
        assert not Inquiry.objects.exists()

    def test_listing_without_agent_stores_the_inquiry_without_email(
        self, client_api, mailoutbox, django_capture_on_commit_callbacks
    ):
        orphan = PropertyFactory(listing_agent=None)

        with django_capture_on_commit_callbacks(execute=True):
            response = client_api.post(inquiries_url(orphan), {"message": "Who sells this?"})

        assert response.status_code == 201
        assert Inquiry.objects.get().property == orphan
        assert mailoutbox == []

    def test_mail_failure_keeps_the_inquiry(
        self, client_api, listing, django_capture_on_commit_callbacks
    ):
        with (
            mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("smtp down")),
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = client_api.post(inquiries_url(listing), {"message": "Hello"})

        assert response.status_code == 201
        assert Inquiry.objects.count() == 1

    def test_line_breaks_in_the_address_do_not_break_the_subject(
        self, client_api, mailoutbox, django_capture_on_commit_callbacks
    ):
        odd = PropertyFactory(street_address="1 Main St\r\nBcc: victim@example.com")

        with django_capture_on_commit_callbacks(execute=True):
            client_api.post(inquiries_url(odd), {"message": "Hello"})

        assert mailoutbox[0].subject.startswith("Inquiry about 1 Main St Bcc: victim")
        assert mailoutbox[0].bcc == []

    def test_get_on_a_listings_inquiries_is_not_allowed(self, agent_api, listing):
        assert agent_api.get(inquiries_url(listing)).status_code == 405


class TestThrottle:
    def test_inquiries_have_their_own_strict_rate(self, api_client, listing, monkeypatch):
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "inquiries", "2/hour")
        data = {"name": "Ada", "email": "ada@example.com", "message": "Hello"}
        for _ in range(2):
            assert api_client.post(inquiries_url(listing), data).status_code == 201

        response = api_client.post(inquiries_url(listing), data)

        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
        assert Inquiry.objects.count() == 2
        # Reading listings is not counted against the inquiry rate.
        assert api_client.get(f"/api/properties/{listing.pk}/").status_code == 200


class TestList:
    @pytest.fixture
    def inbox(self, agent, user):
        """Inquiries on the agent's listing, on another agent's, and sent by the user."""
        own = PropertyFactory(listing_agent=agent)
        other = PropertyFactory(listing_agent=AgentFactory())
        return {
            "on_own_by_user": InquiryFactory(property=own, sender=user),
            "on_own_anonymous": InquiryFactory(
                property=own, sender=None, name="Ada", email="ada@example.com"
            ),
            "on_other_by_user": InquiryFactory(property=other, sender=user),
            "on_other_by_stranger": InquiryFactory(property=other, sender=UserFactory()),
        }

    def ids(self, response):
        assert response.status_code == 200
        return sorted(row["id"] for row in response.json()["results"])

    def test_agent_sees_inquiries_on_own_listings(self, api_client, agent, inbox):
        api_client.force_authenticate(agent)

        assert self.ids(api_client.get("/api/inquiries/")) == sorted(
            [inbox["on_own_by_user"].pk, inbox["on_own_anonymous"].pk]
        )

    def test_client_sees_own_sent_inquiries(self, api_client, user, inbox):
        api_client.force_authenticate(user)

        assert self.ids(api_client.get("/api/inquiries/")) == sorted(
            [inbox["on_own_by_user"].pk, inbox["on_other_by_user"].pk]
        )

    def test_staff_sees_all(self, staff_api, inbox):
        assert self.ids(staff_api.get("/api/inquiries/")) == sorted(i.pk for i in inbox.values())

    def test_anonymous_is_401(self, api_client, inbox):
        assert api_client.get("/api/inquiries/").status_code == 401

    def test_detail_follows_the_same_scope(self, api_client, agent, inbox):
        api_client.force_authenticate(agent)

        mine = api_client.get(f"/api/inquiries/{inbox['on_own_anonymous'].pk}/")
        not_mine = api_client.get(f"/api/inquiries/{inbox['on_other_by_stranger'].pk}/")

        assert (mine.status_code, not_mine.status_code) == (200, 404)
        assert mine.json()["email"] == "ada@example.com"

    def test_newest_first(self, staff_api):
        first, second = InquiryFactory(), InquiryFactory()

        body = staff_api.get("/api/inquiries/").json()

        assert [row["id"] for row in body["results"]] == [second.pk, first.pk]

    @pytest.mark.parametrize("rows", [1, 8])
    def test_query_count_is_fixed(self, agent_api, agent, django_assert_max_num_queries, rows):
        InquiryFactory.create_batch(rows, property=PropertyFactory(listing_agent=agent))
        InquiryFactory.create_batch(rows, property=PropertyFactory(listing_agent=agent))

        with django_assert_max_num_queries(2):
            body = agent_api.get("/api/inquiries/").json()

        assert body["count"] == 2 * rows
