"""Listing CRUD, the response shape, and every cell of the SPEC's permission table."""

from decimal import Decimal

import pytest

from properties.factories import PropertyFactory, PropertyPhotoFactory
from properties.models import PriceChange, Property
from users.factories import AgentFactory, StaffFactory, UserFactory
from users.models import User

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
PUBLIC = ["coming_soon", "active", "pending", "sold"]
HIDDEN = ["withdrawn", "expired"]


def detail(listing):
    return f"/api/properties/{listing.pk}/"


def as_user(api_client, who):
    if who == "anonymous":
        return api_client, None
    user = {"client": UserFactory, "agent": AgentFactory, "staff": StaffFactory}[who]()
    api_client.force_authenticate(user)
    return api_client, user


class TestShape:
    def test_detail_carries_every_field(self, api_client):
        agent = AgentFactory(first_name="Ada", last_name="Lovelace", phone="555-0101")
        listing = PropertyFactory(listing_agent=agent, latitude=30.1, longitude=-97.2)
        PropertyPhotoFactory(property=listing, position=2)
        first = PropertyPhotoFactory(property=listing, position=1)

        body = api_client.get(detail(listing)).json()

        assert set(body) == {
            "id", "url", "mls_number", "status", "property_type", "street_address", "unit",
            "city", "state", "postal_code", "country", "latitude", "longitude", "price",
            "bedrooms", "bathrooms", "living_area", "lot_size", "year_built", "description",
            "listing_agent", "listed_at", "sold_at", "sold_price", "created_at", "updated_at",
            "primary_photo", "photo_count", "distance_km", "bathrooms_full", "bathrooms_half",
            "original_list_price", "days_on_market", "status_changed_at", "price_changed_at",
            "photos_changed_at", "internet_display", "originating_system", "time_zone",
        }  # fmt: skip
        assert body["url"] == f"http://testserver/api/properties/{listing.pk}/"
        assert body["listing_agent"] == {
            "id": agent.id,
            "name": "Ada Lovelace",
            "email": agent.email,
            "phone": "555-0101",
        }
        assert body["price"] == str(listing.price)
        assert body["latitude"] == 30.1
        assert body["photo_count"] == 2
        assert body["primary_photo"] == f"http://testserver{first.image.url}"

    def test_listing_without_agent_or_photos(self, api_client):
        listing = PropertyFactory(listing_agent=None)

        body = api_client.get(detail(listing)).json()

        assert (body["listing_agent"], body["primary_photo"], body["photo_count"]) == (
            None,
            None,
            0,
        )

    def test_list_is_paginated_20_by_default_and_capped_at_100(self, api_client):
        agent = AgentFactory()
        PropertyFactory.create_batch(105, listing_agent=agent)

        default = api_client.get(LIST).json()
        capped = api_client.get(LIST, {"page_size": 500}).json()

        assert (default["count"], len(default["results"])) == (105, 20)
        assert default["next"].endswith("?page=2")
        assert default["previous"] is None
        assert len(capped["results"]) == 100

    @pytest.mark.parametrize("page_size", ["0", "-3", "ten", "null"])
    def test_unreadable_page_size_is_400(self, api_client, page_size):
        response = api_client.get(LIST, {"page_size": page_size})

        assert response.status_code == 400
        assert list(response.json()) == ["page_size"]

    def test_page_past_the_end_is_404(self, api_client):
        PropertyFactory()

        response = api_client.get(LIST, {"page": 9})

        assert response.status_code == 404
        assert "detail" in response.json()

    def test_list_runs_the_same_queries_for_1_and_100_results(
        self, api_client, django_assert_num_queries
    ):
        listing = PropertyFactory()
        PropertyPhotoFactory(property=listing)
        # data version (response cache) + data version (count memo) + count + page
        with django_assert_num_queries(4):
            assert len(api_client.get(LIST).json()["results"]) == 1

        for agent in AgentFactory.create_batch(5):
            for item in PropertyFactory.create_batch(20, listing_agent=agent):
                PropertyPhotoFactory(property=item)
        with django_assert_num_queries(4):
            assert len(api_client.get(LIST, {"page_size": 100}).json()["results"]) == 100

    @pytest.mark.parametrize(
        "params",
        [{}, {"ordering": "price"}, {"ordering": "-price"}, {"status": "sold,active"}],
        ids=["default", "price", "-price", "filtered"],
    )
    def test_deep_pages_read_by_id_first_give_the_same_pages(
        self, api_client, django_assert_num_queries, monkeypatch, settings, params
    ):
        # Each page is read twice; the response cache would answer the second time.
        settings.API_RESPONSE_CACHE = False
        # Given 7 visible listings (one with photos) and 2 hidden ones
        listings = PropertyFactory.create_batch(4, status="active") + PropertyFactory.create_batch(
            3, status="sold"
        )
        PropertyPhotoFactory.create_batch(2, property=listings[2])
        PropertyFactory.create_batch(2, status="withdrawn")
        shallow = {
            page: api_client.get(LIST, {**params, "page_size": 2, "page": page}).json()
            for page in (1, 2, 3, 4)
        }

        # When every page is read ids-first (as pages deeper than 1,000 rows are)
        monkeypatch.setattr("config.pagination.Paginator.deferred_from", 0)
        for page in (1, 2, 3, 4):
            with django_assert_num_queries(2):  # count + page, as for a shallow page
                deferred = api_client.get(LIST, {**params, "page_size": 2, "page": page}).json()

            # Then each page is byte for byte the one read with OFFSET
            assert deferred == shallow[page]
        seen = [r["id"] for p in (1, 2, 3, 4) for r in shallow[p]["results"]]
        assert sorted(seen) == sorted(listing.pk for listing in listings)
        assert shallow[4]["count"] == 7
        assert len(shallow[4]["results"]) == 1
        assert sum(r["photo_count"] for p in shallow.values() for r in p["results"]) == 2

    def test_out_of_range_id_is_404(self, api_client):
        response = api_client.get("/api/properties/99999999999999999999/")

        assert response.status_code == 404
        assert "detail" in response.json()

    def test_non_numeric_id_is_404(self, api_client):
        assert api_client.get("/api/properties/abc/").status_code == 404


class TestReadVisibility:
    @pytest.mark.parametrize("who", ["anonymous", "client", "agent", "staff"])
    @pytest.mark.parametrize("status", PUBLIC)
    def test_public_statuses_are_readable_by_everyone(self, api_client, who, status):
        listing = PropertyFactory(status=status)
        client, _ = as_user(api_client, who)

        assert client.get(detail(listing)).status_code == 200
        assert [r["id"] for r in client.get(LIST).json()["results"]] == [listing.id]

    @pytest.mark.parametrize("who", ["anonymous", "client", "agent"])
    @pytest.mark.parametrize("status", HIDDEN)
    def test_hidden_statuses_are_404_to_others(self, api_client, who, status):
        listing = PropertyFactory(status=status)
        client, _ = as_user(api_client, who)

        response = client.get(detail(listing))

        assert response.status_code == 404
        assert "detail" in response.json()
        assert client.get(LIST).json()["count"] == 0

    @pytest.mark.parametrize("status", HIDDEN)
    def test_hidden_statuses_are_visible_to_their_agent(self, agent_api, agent, status):
        own = PropertyFactory(status=status, listing_agent=agent)
        PropertyFactory(status=status)  # someone else's

        assert agent_api.get(detail(own)).status_code == 200
        assert [r["id"] for r in agent_api.get(LIST).json()["results"]] == [own.id]

    @pytest.mark.parametrize("status", HIDDEN)
    def test_hidden_statuses_are_visible_to_staff(self, staff_api, status):
        listing = PropertyFactory(status=status)

        assert staff_api.get(detail(listing)).status_code == 200
        assert staff_api.get(LIST).json()["count"] == 1


class TestCreate:
    def test_anonymous_is_401(self, api_client):
        response = api_client.post(LIST, NEW_LISTING)

        assert response.status_code == 401
        assert not Property.objects.exists()

    def test_client_is_403(self, client_api):
        response = client_api.post(LIST, NEW_LISTING)

        assert response.status_code == 403
        assert not Property.objects.exists()

    def test_agent_creates_and_becomes_the_agent(self, agent_api, agent):
        response = agent_api.post(LIST, NEW_LISTING)

        assert response.status_code == 201
        body = response.json()
        listing = Property.objects.get()
        assert body["id"] == listing.id
        assert response["Location"] == body["url"]
        assert listing.listing_agent == agent
        assert body["listing_agent"]["id"] == agent.id
        assert body["mls_number"] == f"H{listing.id:07d}"
        assert (body["status"], body["country"]) == ("active", "US")
        assert body["listed_at"] is not None

    def test_agent_cannot_list_for_another_agent(self, agent_api):
        other = AgentFactory()

        response = agent_api.post(LIST, {**NEW_LISTING, "listing_agent_id": other.id})

        assert response.status_code == 400
        assert list(response.json()) == ["listing_agent_id"]
        assert not Property.objects.exists()

    def test_staff_chooses_the_agent(self, staff_api):
        chosen = AgentFactory()

        response = staff_api.post(LIST, {**NEW_LISTING, "listing_agent_id": chosen.id})

        assert response.status_code == 201
        assert Property.objects.get().listing_agent == chosen

    def test_staff_cannot_make_a_client_the_agent(self, staff_api):
        response = staff_api.post(LIST, {**NEW_LISTING, "listing_agent_id": UserFactory().id})

        assert response.status_code == 400
        assert list(response.json()) == ["listing_agent_id"]

    def test_staff_cannot_make_a_deactivated_agent_the_agent(self, staff_api):
        gone = AgentFactory(is_active=False)

        response = staff_api.post(LIST, {**NEW_LISTING, "listing_agent_id": gone.id})

        assert response.status_code == 400
        assert response.json() == {
            "listing_agent_id": [
                f"User {gone.id} cannot list properties: choose an active agent account."
            ]
        }
        assert not Property.objects.exists()

    def test_a_listing_keeps_an_agent_whose_account_changed(self, staff_api):
        former = AgentFactory()
        listing = PropertyFactory(listing_agent=former)
        User.objects.filter(pk=former.pk).update(role=User.Role.CLIENT)

        response = staff_api.patch(
            f"{LIST}{listing.pk}/", {"listing_agent_id": former.id, "bedrooms": 3}
        )

        assert response.status_code == 200
        assert Property.objects.get(pk=listing.pk).listing_agent_id == former.id

    def test_read_only_fields_are_ignored(self, agent_api):
        response = agent_api.post(
            LIST, {**NEW_LISTING, "id": 999, "created_at": "2000-01-01T00:00:00Z", "photo_count": 7}
        )

        assert response.status_code == 201
        assert response.json()["id"] != 999
        assert (
            response.json()["created_at"].startswith("20")
            and "2000-01-01" not in response.json()["created_at"]
        )

    def test_missing_required_fields_are_named(self, agent_api):
        response = agent_api.post(LIST, {})

        assert response.status_code == 400
        assert set(response.json()) == {
            "property_type", "street_address", "city", "state", "postal_code", "price",
        }  # fmt: skip

    @pytest.mark.parametrize(
        "field, value",
        [
            ("price", "0"),
            ("price", "-5"),
            ("price", "abc"),
            ("price", "1e400"),
            ("status", "sold-ish"),
            ("property_type", "castle"),
            ("latitude", 95),
            ("longitude", "east"),
            ("bedrooms", -1),
            ("bathrooms", "2.25"),
            ("living_area", 0),
            ("year_built", 1599),
            ("year_built", 2999),
            ("country", "USA"),
            ("country", "ZZ"),
            ("street_address", "x" * 256),
            ("city", "Aus\x00tin"),
            ("mls_number", "has space"),
            ("listed_at", "yesterday"),
        ],
    )
    def test_invalid_values_are_400_naming_the_field(self, agent_api, field, value):
        response = agent_api.post(LIST, {**NEW_LISTING, field: value})

        assert response.status_code == 400
        assert list(response.json()) == [field]
        assert not Property.objects.exists()

    def test_lower_case_country_is_accepted(self, agent_api):
        response = agent_api.post(LIST, {**NEW_LISTING, "country": "ca"})

        assert response.status_code == 201
        assert response.json()["country"] == "CA"

    def test_sale_fields_need_status_sold(self, agent_api):
        response = agent_api.post(LIST, {**NEW_LISTING, "sold_price": "400000"})

        assert response.status_code == 400
        assert list(response.json()) == ["sold_price"]

    def test_sold_listing_with_sale_fields(self, agent_api):
        response = agent_api.post(
            LIST,
            {**NEW_LISTING, "status": "sold", "sold_price": "440000", "sold_at": "2026-10-01"},
        )

        assert response.status_code == 201
        assert (response.json()["sold_price"], response.json()["sold_at"]) == (
            "440000.00",
            "2026-10-01",
        )

    def test_malformed_json_is_400(self, agent_api):
        response = agent_api.post(LIST, "{bad json", content_type="application/json")

        assert response.status_code == 400
        assert not Property.objects.exists()


class TestUpdateAndDelete:
    @pytest.mark.parametrize("method", ["put", "patch", "delete"])
    def test_anonymous_is_401(self, api_client, method):
        listing = PropertyFactory()

        response = getattr(api_client, method)(detail(listing), NEW_LISTING)

        assert response.status_code == 401
        assert Property.objects.get().street_address == listing.street_address

    @pytest.mark.parametrize("method", ["put", "patch", "delete"])
    def test_client_is_403(self, client_api, method):
        listing = PropertyFactory()

        response = getattr(client_api, method)(detail(listing), NEW_LISTING)

        assert response.status_code == 403
        assert Property.objects.get().street_address == listing.street_address

    @pytest.mark.parametrize("method", ["put", "patch", "delete"])
    def test_agent_cannot_touch_another_agents_listing(self, agent_api, method):
        listing = PropertyFactory()

        response = getattr(agent_api, method)(detail(listing), NEW_LISTING)

        assert response.status_code == 403
        assert Property.objects.get().street_address == listing.street_address

    def test_agent_updates_own_listing_and_history_is_recorded(self, agent_api, agent):
        listing = PropertyFactory(listing_agent=agent, price=Decimal("500000.00"))

        response = agent_api.patch(detail(listing), {"price": "480000.00", "bedrooms": 4})

        assert response.status_code == 200
        assert response.json()["price"] == "480000.00"
        listing.refresh_from_db()
        assert (listing.price, listing.bedrooms) == (Decimal("480000.00"), 4)
        assert list(PriceChange.objects.values_list("old_price", "new_price")) == [
            (Decimal("500000.00"), Decimal("480000.00"))
        ]

    def test_agent_puts_own_listing(self, agent_api, agent):
        listing = PropertyFactory(listing_agent=agent)

        response = agent_api.put(detail(listing), {**NEW_LISTING, "status": "pending"})

        assert response.status_code == 200
        listing.refresh_from_db()
        assert (listing.street_address, listing.status) == ("12 Elm St", "pending")
        assert listing.listing_agent == agent

    def test_agent_cannot_hand_a_listing_to_another_agent(self, agent_api, agent):
        listing = PropertyFactory(listing_agent=agent)

        response = agent_api.patch(detail(listing), {"listing_agent_id": AgentFactory().id})

        assert response.status_code == 400
        listing.refresh_from_db()
        assert listing.listing_agent == agent

    def test_staff_reassigns_the_agent(self, staff_api):
        listing = PropertyFactory()
        new_agent = AgentFactory()

        response = staff_api.patch(detail(listing), {"listing_agent_id": new_agent.id})

        assert response.status_code == 200
        listing.refresh_from_db()
        assert listing.listing_agent == new_agent

    def test_agent_deletes_own_listing(self, agent_api, agent):
        listing = PropertyFactory(listing_agent=agent)

        assert agent_api.delete(detail(listing)).status_code == 204
        # Archived, not erased (tests/properties/test_data_safety.py)
        assert list(Property.objects.archived().values_list("pk", flat=True)) == [listing.pk]
        assert agent_api.get(detail(listing)).status_code == 404

    def test_staff_deletes_any_listing(self, staff_api):
        listing = PropertyFactory(status="withdrawn")

        assert staff_api.delete(detail(listing)).status_code == 204
        assert list(Property.objects.archived().values_list("pk", flat=True)) == [listing.pk]
        assert staff_api.get(detail(listing)).status_code == 404

    def test_hidden_listing_of_another_agent_is_404_not_403(self, agent_api):
        listing = PropertyFactory(status="withdrawn")

        assert agent_api.patch(detail(listing), {"price": "1"}).status_code == 404

    def test_invalid_update_changes_nothing(self, agent_api, agent):
        listing = PropertyFactory(listing_agent=agent, price=Decimal("500000.00"))

        response = agent_api.patch(detail(listing), {"price": "-1", "city": "Elsewhere"})

        assert response.status_code == 400
        listing.refresh_from_db()
        assert (listing.price, listing.city) != (Decimal("-1"), "Elsewhere")
        assert not PriceChange.objects.exists()


class TestPriceHistoryEndpoint:
    def test_newest_first(self, api_client):
        listing = PropertyFactory(price=Decimal("100000.00"))
        for price in ("110000.00", "105000.00"):
            listing.price = Decimal(price)
            listing.save()

        response = api_client.get(f"{detail(listing)}price-history/")

        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 2
        assert [(c["old_price"], c["new_price"]) for c in body["results"]] == [
            ("110000.00", "105000.00"),
            ("100000.00", "110000.00"),
        ]
        assert set(body["results"][0]) == {"id", "old_price", "new_price", "changed_at"}

    def test_hidden_listing_is_404(self, api_client):
        listing = PropertyFactory(status="expired")

        assert api_client.get(f"{detail(listing)}price-history/").status_code == 404
