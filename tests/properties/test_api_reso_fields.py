"""The listing fields RESO DD 2.0 asked for, through the API: baths, history, display flag."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from properties.factories import PropertyFactory, PropertyPhotoFactory, SoldPropertyFactory
from properties.models import Property
from tests.properties.clock import stamp_floor
from users.factories import AgentFactory

pytestmark = pytest.mark.django_db

LIST = "/api/properties/"
NEW_LISTING = {
    "property_type": "residential",
    "street_address": "12 Elm St",
    "city": "Austin",
    "state": "TX",
    "postal_code": "78701",
    "price": "450000.00",
}


def detail(listing):
    return f"/api/properties/{listing.pk}/"


class TestBathrooms:
    @pytest.mark.parametrize(
        "sent, counts, total",
        [
            ({"bathrooms": "2.5"}, (2, 1), "2.5"),
            ({"bathrooms": "3"}, (3, 0), "3.0"),
            ({"bathrooms": None}, (None, None), None),
            ({"bathrooms_full": 2, "bathrooms_half": 2}, (2, 2), "3.0"),
            ({"bathrooms_full": 1, "bathrooms_half": 1, "bathrooms": "1.5"}, (1, 1), "1.5"),
        ],
    )
    def test_a_write_sends_the_total_or_the_counts(self, staff_api, sent, counts, total):
        response = staff_api.post(LIST, {**NEW_LISTING, **sent}, format="json")

        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["bathrooms_full"], body["bathrooms_half"], body["bathrooms"]) == (
            *counts,
            total,
        )
        listing = Property.objects.get()
        assert (listing.bathrooms_full, listing.bathrooms_half) == counts

    def test_a_patch_of_one_count_keeps_the_other_and_moves_the_total(self, staff_api):
        listing = PropertyFactory(bathrooms_full=2, bathrooms_half=1)

        response = staff_api.patch(detail(listing), {"bathrooms_half": 0}, format="json")

        assert response.status_code == 200
        assert (response.json()["bathrooms_full"], response.json()["bathrooms"]) == (2, "2.0")

    @pytest.mark.parametrize(
        "sent, field",
        [
            ({"bathrooms": "2.3"}, "bathrooms"),
            ({"bathrooms": "2.25"}, "bathrooms"),
            ({"bathrooms": "-1"}, "bathrooms"),
            ({"bathrooms_full": 2, "bathrooms_half": 1, "bathrooms": "3"}, "bathrooms"),
            ({"bathrooms_full": -1}, "bathrooms_full"),
            ({"bathrooms_half": 100}, "bathrooms_half"),
        ],
    )
    def test_bad_bathrooms_answer_400_naming_the_field(self, staff_api, sent, field):
        response = staff_api.post(LIST, {**NEW_LISTING, **sent}, format="json")

        assert response.status_code == 400
        assert list(response.json()) == [field]
        assert not Property.objects.exists()


class TestHistoryFields:
    def test_a_new_listing_starts_its_history(self, agent_api):
        before = stamp_floor()

        body = agent_api.post(LIST, NEW_LISTING, format="json").json()

        assert body["original_list_price"] == "450000.00"
        assert datetime.datetime.fromisoformat(body["status_changed_at"]) >= before
        assert body["price_changed_at"] is None
        assert body["photos_changed_at"] is None
        assert body["originating_system"] == ""

    def test_price_and_status_changes_are_stamped_and_the_original_price_stays(self, staff_api):
        listing = PropertyFactory(price=Decimal("500000.00"), original_list_price=Decimal("500000"))
        stamped_before = listing.status_changed_at

        first = staff_api.patch(detail(listing), {"price": "480000.00"}, format="json").json()
        second = staff_api.patch(detail(listing), {"status": "pending"}, format="json").json()

        assert first["original_list_price"] == "500000.00"
        assert first["price_changed_at"] is not None
        assert first["status_changed_at"] == stamped_before.isoformat().replace("+00:00", "Z")
        assert second["price_changed_at"] == first["price_changed_at"]
        assert second["status_changed_at"] >= first["price_changed_at"]
        assert second["status_changed_at"] != first["status_changed_at"]

    def test_read_only_fields_are_ignored_on_write(self, staff_api):
        listing = PropertyFactory(originating_system="")

        staff_api.patch(
            detail(listing),
            {"originating_system": "Elsewhere", "price_changed_at": "2020-01-01T00:00:00Z"},
            format="json",
        )

        listing.refresh_from_db()
        assert (listing.originating_system, listing.price_changed_at) == ("", None)

    def test_photo_uploads_and_deletions_stamp_the_photos_change(
        self, staff_api, settings, tmp_path
    ):
        settings.MEDIA_ROOT = str(tmp_path)
        listing = PropertyFactory(photos_changed_at=None)
        photo = PropertyPhotoFactory(property=listing)
        before = stamp_floor()

        response = staff_api.delete(f"/api/properties/{listing.pk}/photos/{photo.pk}/")

        assert response.status_code == 204
        listing.refresh_from_db()
        assert listing.photos_changed_at >= before


class TestDaysOnMarket:
    def test_days_are_counted_to_the_sale_or_today(self, api_client):
        today = timezone.localdate()
        active = PropertyFactory(listed_at=today - datetime.timedelta(days=12))
        sold = SoldPropertyFactory(
            listed_at=datetime.date(2026, 1, 1), sold_at=datetime.date(2026, 2, 15)
        )
        coming = PropertyFactory(status="coming_soon", listed_at=today)

        days = {row["id"]: row["days_on_market"] for row in api_client.get(LIST).json()["results"]}

        assert days == {active.pk: 12, sold.pk: 45, coming.pk: 0}

    def test_an_off_market_listing_stops_counting_when_its_status_changed(self):
        listing = PropertyFactory.build(
            status="withdrawn",
            listed_at=datetime.date(2026, 1, 1),
            status_changed_at=datetime.datetime(2026, 1, 31, 12, tzinfo=datetime.UTC),
        )

        assert listing.days_on_market == 30

    def test_the_detail_etag_changes_at_midnight_when_the_count_does(self, api_client, monkeypatch):
        listing = PropertyFactory()
        today = api_client.get(detail(listing))["ETag"]
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)

        response = api_client.get(detail(listing), HTTP_IF_NONE_MATCH=today)

        assert response.status_code == 200
        assert response["ETag"] != today


class TestDisplayFlag:
    def test_a_listing_not_for_display_is_hidden_from_the_public(self, api_client):
        shown = PropertyFactory()
        hidden = PropertyFactory(internet_display=False)

        listed = api_client.get(LIST).json()
        stats = api_client.get("/api/market-stats/").json()

        assert [row["id"] for row in listed["results"]] == [shown.pk]
        assert stats["count"] == 1
        assert api_client.get(detail(hidden)).status_code == 404

    def test_its_agent_and_staff_still_see_it(self, api_client, staff):
        agent = AgentFactory()
        hidden = PropertyFactory(listing_agent=agent, internet_display=False)

        api_client.force_authenticate(agent)
        as_agent = api_client.get(detail(hidden))
        api_client.force_authenticate(staff)
        as_staff = api_client.get(detail(hidden))

        assert (as_agent.status_code, as_staff.status_code) == (200, 200)
        assert as_agent.json()["internet_display"] is False

    def test_its_agent_can_publish_it(self, api_client):
        agent = AgentFactory()
        hidden = PropertyFactory(listing_agent=agent, internet_display=False)
        api_client.force_authenticate(agent)

        response = api_client.patch(detail(hidden), {"internet_display": True}, format="json")

        assert response.status_code == 200
        api_client.force_authenticate(None)
        assert api_client.get(detail(hidden)).status_code == 200


def test_the_time_zone_follows_the_state():
    assert PropertyFactory.build(state="CO").time_zone == "America/Denver"
    assert PropertyFactory.build(state="az").time_zone == "America/Phoenix"
    assert PropertyFactory.build(country="GB", state="London").time_zone == "Europe/London"
    assert PropertyFactory.build(state="Nowhere").time_zone == "UTC"
