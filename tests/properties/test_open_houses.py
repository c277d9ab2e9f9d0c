"""Open houses: the REST endpoints, their permissions and rules, the listing filter, the admin."""

import datetime

import pytest
from django.utils import timezone

from properties.factories import OpenHouseFactory, PropertyFactory
from properties.models import OpenHouse
from users.factories import AgentFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/api/properties/"


def open_houses_url(listing, open_house=None):
    base = f"/api/properties/{listing.pk}/open-houses/"
    return f"{base}{open_house.pk}/" if open_house else base


def days_ahead(days):
    return timezone.localdate() + datetime.timedelta(days=days)


def new_open_house(**changes):
    body = {
        "date": days_ahead(4).isoformat(),
        "start_time": "13:00",
        "end_time": "15:00",
        "type": "public",
        "remarks": "Cookies in the kitchen.",
    }
    body.update(changes)
    return body


class TestRead:
    def test_anyone_reads_a_public_listings_open_houses_soonest_first(
        self, api_client, django_assert_max_num_queries
    ):
        listing = PropertyFactory(state="CO")
        later = OpenHouseFactory(property=listing, date=days_ahead(9))
        sooner = OpenHouseFactory(
            property=listing, date=days_ahead(2), start_time=datetime.time(10)
        )
        OpenHouseFactory(property=listing, date=days_ahead(2), start_time=datetime.time(14))
        OpenHouseFactory()  # another listing's

        with django_assert_max_num_queries(3):
            response = api_client.get(open_houses_url(listing))

        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 3
        assert [row["id"] for row in body["results"]][::2] == [sooner.pk, later.pk]
        assert body["results"][0] == {
            "id": sooner.pk,
            "date": sooner.date.isoformat(),
            "start_time": "10:00:00",
            "end_time": "12:00:00",
            "time_zone": "America/Denver",
            "type": "public",
            "status": "active",
            "remarks": sooner.remarks,
            "created_at": body["results"][0]["created_at"],
            "updated_at": body["results"][0]["updated_at"],
        }

    def test_a_listing_the_reader_cannot_see_has_no_open_houses_to_read(self, api_client):
        withdrawn = PropertyFactory(status="withdrawn")
        hidden = PropertyFactory(internet_display=False)
        for listing in (withdrawn, hidden):
            OpenHouseFactory(property=listing)

            assert api_client.get(open_houses_url(listing)).status_code == 404


class TestWrite:
    def test_the_listings_agent_schedules_one(self, api_client):
        listing = PropertyFactory()
        api_client.force_authenticate(listing.listing_agent)

        response = api_client.post(open_houses_url(listing), new_open_house(), format="json")

        assert response.status_code == 201, response.json()
        open_house = OpenHouse.objects.get()
        assert response.json()["id"] == open_house.pk
        assert (open_house.property, open_house.start_time, open_house.status) == (
            listing,
            datetime.time(13),
            "active",
        )

    def test_staff_change_and_delete_one(self, staff_api):
        open_house = OpenHouseFactory()
        listing = open_house.property

        changed = staff_api.patch(
            open_houses_url(listing, open_house), {"status": "canceled"}, format="json"
        )
        assert changed.status_code == 200
        assert changed.json()["status"] == "canceled"
        assert OpenHouse.objects.get().status == "canceled"

        deleted = staff_api.delete(open_houses_url(listing, open_house))
        assert deleted.status_code == 204
        assert not OpenHouse.objects.exists()

    @pytest.mark.parametrize("who", ["anonymous", "client", "other agent"])
    def test_nobody_else_writes(self, api_client, who):
        open_house = OpenHouseFactory(remarks="Original")
        listing = open_house.property
        if who != "anonymous":
            api_client.force_authenticate(UserFactory() if who == "client" else AgentFactory())
        expected = 401 if who == "anonymous" else 403

        created = api_client.post(open_houses_url(listing), new_open_house(), format="json")
        changed = api_client.patch(
            open_houses_url(listing, open_house), {"remarks": "Mine"}, format="json"
        )
        deleted = api_client.delete(open_houses_url(listing, open_house))

        assert (created.status_code, changed.status_code, deleted.status_code) == (
            expected,
            expected,
            expected,
        )
        assert list(OpenHouse.objects.values_list("remarks", flat=True)) == ["Original"]

    def test_put_is_not_offered(self, staff_api):
        open_house = OpenHouseFactory()

        response = staff_api.put(
            open_houses_url(open_house.property, open_house), new_open_house(), format="json"
        )

        assert response.status_code == 405

    @pytest.mark.parametrize(
        "changes, field",
        [
            ({"end_time": "12:00"}, "end_time"),
            ({"end_time": "13:00"}, "end_time"),
            ({"date": "2020-01-05"}, "date"),
            ({"date": "not a date"}, "date"),
            ({"start_time": "25:00"}, "start_time"),
            ({"type": "party"}, "type"),
            ({"status": "postponed"}, "status"),
            ({"remarks": "x" * 501}, "remarks"),
        ],
    )
    def test_bad_input_answers_400_naming_the_field_and_stores_nothing(
        self, staff_api, changes, field
    ):
        listing = PropertyFactory()

        response = staff_api.post(
            open_houses_url(listing), new_open_house(**changes), format="json"
        )

        assert response.status_code == 400
        assert list(response.json()) == [field]
        assert not OpenHouse.objects.exists()

    def test_a_patch_that_would_end_before_the_start_is_refused(self, staff_api):
        open_house = OpenHouseFactory(start_time=datetime.time(13), end_time=datetime.time(15))

        response = staff_api.patch(
            open_houses_url(open_house.property, open_house), {"start_time": "16:00"}, format="json"
        )

        assert response.status_code == 400
        assert list(response.json()) == ["end_time"]
        open_house.refresh_from_db()
        assert open_house.start_time == datetime.time(13)

    def test_an_unknown_open_house_or_one_of_another_listing_is_404(self, staff_api):
        open_house = OpenHouseFactory()
        other_listing = PropertyFactory()

        assert (
            staff_api.patch(
                open_houses_url(other_listing, open_house), {"remarks": "x"}, format="json"
            ).status_code
            == 404
        )
        assert (
            staff_api.delete(f"{open_houses_url(other_listing)}99999999999999999999/").status_code
            == 404
        )


class TestListingFilter:
    def test_listings_with_an_active_open_house_in_the_range(self, api_client):
        inside = OpenHouseFactory(date=days_ahead(3)).property
        on_the_edges = PropertyFactory()
        OpenHouseFactory(property=on_the_edges, date=days_ahead(2))
        OpenHouseFactory(property=on_the_edges, date=days_ahead(6))
        OpenHouseFactory(date=days_ahead(10))  # after the range
        OpenHouseFactory(date=days_ahead(3), status="canceled")  # not active
        # Two open houses each on one side of the range do not make one inside it
        straddling = PropertyFactory()
        OpenHouseFactory(property=straddling, date=days_ahead(1))
        OpenHouseFactory(property=straddling, date=days_ahead(8))
        PropertyFactory()  # no open house at all

        response = api_client.get(
            LIST,
            {"open_house_after": days_ahead(2).isoformat(), "open_house_before": days_ahead(6)},
        )

        assert response.status_code == 200
        assert {row["id"] for row in response.json()["results"]} == {inside.pk, on_the_edges.pk}

    def test_one_bound_alone(self, api_client):
        soon = OpenHouseFactory(date=days_ahead(1)).property
        later = OpenHouseFactory(date=days_ahead(9)).property

        after = api_client.get(LIST, {"open_house_after": days_ahead(5).isoformat()}).json()
        before = api_client.get(LIST, {"open_house_before": days_ahead(5).isoformat()}).json()

        assert [row["id"] for row in after["results"]] == [later.pk]
        assert [row["id"] for row in before["results"]] == [soon.pk]

    @pytest.mark.parametrize(
        "params, field",
        [
            ({"open_house_after": "soon"}, "open_house_after"),
            (
                {"open_house_after": "2026-12-10", "open_house_before": "2026-12-01"},
                "open_house_before",
            ),
        ],
    )
    def test_bad_dates_answer_400(self, api_client, params, field):
        response = api_client.get(LIST, params)

        assert response.status_code == 400
        assert list(response.json()) == [field]

    def test_the_cached_list_follows_a_new_open_house(self, api_client):
        listing = PropertyFactory()
        params = {"open_house_after": days_ahead(1).isoformat()}
        assert api_client.get(LIST, params).json()["count"] == 0

        OpenHouseFactory(property=listing, date=days_ahead(2))

        assert api_client.get(LIST, params).json()["count"] == 1


class TestModel:
    def test_times_become_instants_in_the_listings_time_zone(self):
        # 10 am on the day daylight saving time starts in New York is 14:00 UTC (EDT, UTC-4)
        open_house = OpenHouseFactory(
            property__state="NY",
            date=datetime.date(2026, 3, 8),
            start_time=datetime.time(10),
            end_time=datetime.time(12),
        )

        assert open_house.starts_at().astimezone(datetime.UTC) == datetime.datetime(
            2026, 3, 8, 14, tzinfo=datetime.UTC
        )
        assert open_house.ends_at().utcoffset() == datetime.timedelta(hours=-4)
