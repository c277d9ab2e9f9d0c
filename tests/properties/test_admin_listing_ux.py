"""The listings admin as staff would choose it: money, names, search, photos, sale, history."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from properties import history, services
from properties.admin import map_tile
from properties.factories import PropertyFactory, PropertyPhotoFactory
from properties.models import ListingChange, Property
from tests.properties.test_admin import change_form_data
from tests.properties.uploads import jpeg
from users.factories import AgentFactory, StaffFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/properties/property/"


@pytest.fixture
def staff_user():
    return StaffFactory(is_superuser=True, username="ops", first_name="Olive", last_name="Ops")


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def listed(response):
    return [listing.pk for listing in response.context["cl"].result_list]


class TestChangelist:
    def test_money_and_agent_full_names(self, admin_client, django_assert_max_num_queries):
        agent = AgentFactory(first_name="Brian", last_name="Mitchell", username="agent15")
        PropertyFactory.create_batch(5, listing_agent=agent, price=Decimal("752000.00"))
        with django_assert_max_num_queries(10):
            html = admin_client.get(CHANGELIST).content.decode()
        assert html.count("$752,000") == 5
        assert "752000.00" not in html
        assert html.count("Brian Mitchell") >= 5

    def test_agent_filter_is_sorted_by_last_name(self, admin_client):
        for first, last in [("Zed", "Adams"), ("Amy", "Young"), ("Bob", "Mills")]:
            AgentFactory(first_name=first, last_name=last)

        response = admin_client.get(CHANGELIST)

        [agent_filter] = [
            f for f in response.context["cl"].filter_specs if f.title == "listing agent"
        ]
        assert [label for _, label in agent_filter.lookup_choices] == [
            "Zed Adams",
            "Bob Mills",
            "Amy Young",
            "No agent",
        ]

    def test_agent_filter_ignores_a_garbled_value(self, admin_client):
        PropertyFactory()
        response = admin_client.get(CHANGELIST, {"agent": "x"})
        assert response.status_code == 200
        assert listed(response) == []

    @pytest.mark.parametrize(
        "term",
        [
            "3170 Lincoln Way, Austin",
            "3170 lincoln way, austin, TX",
            "3170 Lincoln Way, Austin, TX 78701",
            "3170 Lincoln Way 4B, Austin",
        ],
    )
    def test_search_understands_an_address_as_displayed(self, admin_client, term):
        wanted = PropertyFactory(
            street_address="3170 Lincoln Way",
            unit="4B",
            city="Austin",
            state="TX",
            postal_code="78701",
        )
        PropertyFactory(street_address="3170 Lincoln Way", city="Dallas", state="TX")
        PropertyFactory(street_address="12 Elm St", city="Austin", state="TX")

        assert listed(admin_client.get(CHANGELIST, {"q": term})) == [wanted.pk]

    def test_words_without_a_comma_search_as_before(self, admin_client):
        wanted = PropertyFactory(mls_number="FIND-ME")
        PropertyFactory(mls_number="OTHER")
        assert listed(admin_client.get(CHANGELIST, {"q": "FIND-ME"})) == [wanted.pk]


class TestAgentAutocomplete:
    def test_a_part_of_the_last_name_finds_the_agent_by_full_name(self, admin_client):
        brian = AgentFactory(first_name="Brian", last_name="Mitchell", username="agent15")
        AgentFactory(first_name="Mia", last_name="Stone")

        response = admin_client.get(
            "/admin/autocomplete/",
            {
                "term": "Mitch",
                "app_label": "properties",
                "model_name": "property",
                "field_name": "listing_agent",
            },
        )

        assert response.json()["results"] == [
            {"id": str(brian.pk), "text": "Brian Mitchell (agent15)"}
        ]


class TestMarkSold:
    def test_asks_for_date_and_price_first(self, admin_client):
        listing = PropertyFactory(status="active")

        response = admin_client.post(
            CHANGELIST, {"action": "mark_sold", "_selected_action": [listing.pk]}
        )

        assert response.status_code == 200
        assert 'name="sold_at"' in response.content.decode()
        listing.refresh_from_db()
        assert listing.status == "active"

    def test_refuses_a_missing_price_and_changes_nothing(self, admin_client):
        listing = PropertyFactory(status="active")

        response = admin_client.post(
            CHANGELIST,
            {
                "action": "mark_sold",
                "_selected_action": [listing.pk],
                "apply": "1",
                "sold_at": "2026-11-30",
                "sold_price": "",
            },
        )

        assert response.status_code == 200
        assert response.context["form"].errors == {"sold_price": ["This field is required."]}
        listing.refresh_from_db()
        assert (listing.status, listing.sold_price) == ("active", None)

    def test_marks_sold_with_date_and_price_and_writes_history(self, admin_client):
        chosen = PropertyFactory.create_batch(2, status="active")
        other = PropertyFactory(status="active")

        response = admin_client.post(
            CHANGELIST,
            {
                "action": "mark_sold",
                "_selected_action": [listing.pk for listing in chosen],
                "apply": "1",
                "sold_at": "2026-11-30",
                "sold_price": "640000",
            },
            follow=True,
        )

        assert "2 listing(s) marked sold." in response.content.decode()
        sold = Property.objects.filter(status="sold")
        assert set(sold.values_list("pk", "sold_at", "sold_price")) == {
            (listing.pk, date(2026, 11, 30), Decimal("640000.00")) for listing in chosen
        }
        assert set(ListingChange.objects.values_list("property_id", "context")) == {
            (listing.pk, "admin bulk action 'mark sold': Olive Ops (ops)") for listing in chosen
        }
        assert not ListingChange.objects.filter(property=other).exists()

    def test_other_status_actions_write_history_too(self, admin_client):
        listing = PropertyFactory(status="active")
        admin_client.post(
            CHANGELIST, {"action": "mark_withdrawn", "_selected_action": [listing.pk]}
        )
        change = ListingChange.objects.get()
        assert change.context == "admin bulk action 'mark withdrawn': Olive Ops (ops)"
        assert change.changes["status"] == ["active", "withdrawn"]


class TestChangePage:
    def test_save_records_who_changed_the_price(self, admin_client):
        listing = PropertyFactory(price=Decimal("500000.00"), latitude=None, longitude=None)
        url = f"{CHANGELIST}{listing.pk}/change/"
        page = admin_client.get(url)

        admin_client.post(
            url,
            change_form_data(
                listing,
                price="455000.00",
                loaded_etag=page.context["adminform"].form["loaded_etag"].value(),
            ),
        )

        html = admin_client.get(url).content.decode()
        assert "admin: Olive Ops (ops)" in html  # price history's "changed by", and the trail
        assert "$455,000" in html and "$500,000" in html
        [change] = history.listing_history(listing_id=listing.pk)
        assert change.context == "admin: Olive Ops (ops)"

    def test_several_photos_added_at_once_go_last_in_order(self, admin_client):
        listing = PropertyFactory()
        PropertyPhotoFactory(property=listing, position=0)
        url = f"{CHANGELIST}{listing.pk}/change/"
        page = admin_client.get(url)
        data = change_form_data(
            listing,
            loaded_etag=page.context["adminform"].form["loaded_etag"].value(),
            add_photos=[jpeg("a.jpg"), jpeg("b.jpg"), jpeg("c.jpg")],
        )
        data.update({"photos-TOTAL_FORMS": "1", "photos-INITIAL_FORMS": "1"})
        photo = listing.photos.get()
        data.update(
            {
                "photos-0-id": photo.pk,
                "photos-0-property": listing.pk,
                "photos-0-caption": photo.caption,
                "photos-0-position": "0",
            }
        )

        response = admin_client.post(url, data)

        assert response.status_code == 302
        assert list(listing.photos.values_list("position", flat=True)) == [0, 1, 2, 3]

    def test_a_file_that_is_not_an_image_is_refused_naming_it(self, admin_client):
        from django.core.files.uploadedfile import SimpleUploadedFile

        listing = PropertyFactory()
        url = f"{CHANGELIST}{listing.pk}/change/"
        page = admin_client.get(url)
        data = change_form_data(
            listing,
            loaded_etag=page.context["adminform"].form["loaded_etag"].value(),
            add_photos=[jpeg("a.jpg"), SimpleUploadedFile("notes.txt", b"hello")],
        )

        response = admin_client.post(url, data)

        assert response.status_code == 200
        assert "notes.txt" in str(response.context["adminform"].form.errors["add_photos"])
        assert listing.photos.count() == 0

    def test_map_preview_offline_shows_coordinates(self, admin_client, settings):
        settings.ADMIN_MAP_TILE_URL = ""
        listing = PropertyFactory(latitude=30.2672, longitude=-97.7431)
        html = admin_client.get(f"{CHANGELIST}{listing.pk}/change/").content.decode()
        assert '<span class="hearth-coords">30.26720, -97.74310</span>' in html
        assert '<img src="https://' not in html

    def test_map_preview_with_a_tile_url(self, admin_client, settings):
        settings.ADMIN_MAP_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png"
        listing = PropertyFactory(latitude=30.2672, longitude=-97.7431)
        html = admin_client.get(f"{CHANGELIST}{listing.pk}/change/").content.decode()
        x, y, z = map_tile(30.2672, -97.7431)
        assert f'src="https://tiles.example/{z}/{x}/{y}.png"' in html
        assert (x, y, z) == (7487, 13491, 15)  # the OSM wiki formula, worked by hand


class TestPhotosReorder:
    def test_positions_follow_the_given_order(self):
        listing = PropertyFactory()
        a, b, c = (PropertyPhotoFactory(property=listing, position=n) for n in range(3))

        services.photos_reorder(listing=listing, photo_ids=[c.pk, a.pk, b.pk])

        assert list(listing.photos.values_list("pk", flat=True)) == [c.pk, a.pk, b.pk]
        listing.refresh_from_db()
        assert listing.primary_photo_image == c.image.name

    def test_a_stale_list_is_refused_and_nothing_moves(self):
        listing = PropertyFactory()
        a, b = (PropertyPhotoFactory(property=listing, position=n) for n in range(2))
        stranger = PropertyPhotoFactory()

        with pytest.raises(ValidationError) as refused:
            services.photos_reorder(listing=listing, photo_ids=[b.pk, stranger.pk])

        assert "photo_ids" in refused.value.message_dict
        assert list(listing.photos.values_list("pk", flat=True)) == [a.pk, b.pk]

    def test_the_admin_saves_a_dragged_order_through_the_service(self, admin_client):
        listing = PropertyFactory()
        a, b = (PropertyPhotoFactory(property=listing, position=n) for n in range(2))
        url = f"{CHANGELIST}{listing.pk}/change/"
        page = admin_client.get(url)
        data = change_form_data(
            listing,
            loaded_etag=page.context["adminform"].form["loaded_etag"].value(),
            photo_order=f"{b.pk},{a.pk}",
        )
        data.update({"photos-TOTAL_FORMS": "2", "photos-INITIAL_FORMS": "2"})
        for index, photo in enumerate([b, a]):
            data.update(
                {
                    f"photos-{index}-id": photo.pk,
                    f"photos-{index}-property": listing.pk,
                    f"photos-{index}-caption": photo.caption,
                    f"photos-{index}-position": str(index),
                }
            )

        assert admin_client.post(url, data).status_code == 302
        assert list(listing.photos.values_list("pk", flat=True)) == [b.pk, a.pk]
