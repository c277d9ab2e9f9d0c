"""The listings admin as staff use it: changelist, change form, actions."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from properties import services
from properties.factories import PropertyFactory, PropertyPhotoFactory
from properties.models import PriceChange, Property, PropertyPhoto
from tests.properties.uploads import jpeg
from users.factories import AgentFactory, StaffFactory
from users.models import User, listing_agent_choices

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/properties/property/"


@pytest.fixture
def admin_client(client):
    client.force_login(StaffFactory(is_superuser=True))
    return client


def change_form_data(listing, **changes):
    """What the browser posts for the change form, as the page rendered it."""
    data = {
        "mls_number": listing.mls_number or "",
        "status": listing.status,
        "property_type": listing.property_type,
        "price": str(listing.price),
        "listing_agent": listing.listing_agent_id or "",
        "street_address": listing.street_address,
        "unit": listing.unit,
        "city": listing.city,
        "state": listing.state,
        "postal_code": listing.postal_code,
        "country": listing.country,
        "latitude": listing.latitude if listing.latitude is not None else "",
        "longitude": listing.longitude if listing.longitude is not None else "",
        "bedrooms": listing.bedrooms if listing.bedrooms is not None else "",
        "bathrooms_full": listing.bathrooms_full if listing.bathrooms_full is not None else "",
        "bathrooms_half": listing.bathrooms_half if listing.bathrooms_half is not None else "",
        "original_list_price": str(listing.original_list_price or ""),
        "internet_display": "on" if listing.internet_display else "",
        "originating_system": listing.originating_system,
        "living_area": listing.living_area or "",
        "lot_size": listing.lot_size or "",
        "year_built": listing.year_built or "",
        "description": listing.description,
        "listed_at": listing.listed_at.isoformat(),
        "sold_at": "",
        "sold_price": "",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
        "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
        "open_houses-TOTAL_FORMS": "0",
        "open_houses-INITIAL_FORMS": "0",
        "open_houses-MIN_NUM_FORMS": "0",
        "open_houses-MAX_NUM_FORMS": "1000",
        "price_changes-TOTAL_FORMS": "0",
        "price_changes-INITIAL_FORMS": "0",
        "price_changes-MIN_NUM_FORMS": "0",
        "price_changes-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


class TestChangelist:
    def test_columns_filters_and_search(self, admin_client):
        wanted = PropertyFactory(mls_number="FIND-ME", city="Denver", status="pending")
        PropertyFactory(mls_number="OTHER", city="Boston")

        response = admin_client.get(CHANGELIST, {"q": "find-me", "status__exact": "pending"})

        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [wanted]
        content = response.content.decode()
        for header in ("MLS number", "Address", "City", "Price", "Status", "Listing agent"):
            assert header in content

    def test_fixed_number_of_queries_whatever_the_page_size(
        self, admin_client, django_assert_max_num_queries
    ):
        PropertyFactory.create_batch(3)
        with django_assert_max_num_queries(12) as few:
            admin_client.get(CHANGELIST)
        for agent in AgentFactory.create_batch(4):
            PropertyFactory.create_batch(20, listing_agent=agent)

        with django_assert_max_num_queries(len(few.captured_queries)):
            assert admin_client.get(CHANGELIST).status_code == 200

    def test_agent_autocomplete_offers_only_agents(self, admin_client):
        agent = AgentFactory(last_name="Zimmer")
        StaffFactory(last_name="Zimmerman")
        response = admin_client.get(
            "/admin/autocomplete/",
            {
                "term": "zimm",
                "app_label": "properties",
                "model_name": "property",
                "field_name": "listing_agent",
            },
        )

        assert response.status_code == 200
        assert [r["id"] for r in response.json()["results"]] == [str(agent.pk)]


class TestChangeForm:
    def test_change_page_shows_photos_and_price_history(self, admin_client):
        listing = PropertyFactory(price=Decimal("100000.00"))
        photo = PropertyPhotoFactory(property=listing)
        listing.price = Decimal("95000.00")
        listing.save()

        response = admin_client.get(f"{CHANGELIST}{listing.pk}/change/")

        content = response.content.decode()
        assert photo.image.url in content
        assert "95000.00" in content and "100000.00" in content

    def test_saving_a_new_price_records_history(self, admin_client):
        listing = PropertyFactory(price=Decimal("100000.00"))
        page = admin_client.get(f"{CHANGELIST}{listing.pk}/change/")
        etag = page.context["adminform"].form["loaded_etag"].value()

        response = admin_client.post(
            f"{CHANGELIST}{listing.pk}/change/",
            change_form_data(listing, price="90000.00", loaded_etag=etag),
        )

        assert response.status_code == 302
        assert list(PriceChange.objects.values_list("old_price", "new_price")) == [
            (Decimal("100000.00"), Decimal("90000.00"))
        ]

    def test_saving_stamps_status_and_price_changes_as_the_api_does(self, admin_client):
        listing = PropertyFactory(
            status="active", price=Decimal("100000.00"), price_changed_at=None
        )
        stamped_before = listing.status_changed_at
        page = admin_client.get(f"{CHANGELIST}{listing.pk}/change/")
        etag = page.context["adminform"].form["loaded_etag"].value()

        response = admin_client.post(
            f"{CHANGELIST}{listing.pk}/change/",
            change_form_data(listing, status="pending", price="90000.00", loaded_etag=etag),
        )

        assert response.status_code == 302
        listing.refresh_from_db()
        assert listing.status_changed_at > stamped_before
        assert listing.price_changed_at == listing.status_changed_at

    def test_open_houses_are_edited_inline(self, admin_client):
        listing = PropertyFactory()
        page = admin_client.get(f"{CHANGELIST}{listing.pk}/change/")
        etag = page.context["adminform"].form["loaded_etag"].value()
        assert "open houses (local time at the property)" in page.content.decode().lower()

        response = admin_client.post(
            f"{CHANGELIST}{listing.pk}/change/",
            change_form_data(
                listing,
                loaded_etag=etag,
                **{
                    "open_houses-TOTAL_FORMS": "1",
                    "open_houses-0-date": "2026-12-20",
                    "open_houses-0-start_time": "13:00",
                    "open_houses-0-end_time": "15:00",
                    "open_houses-0-type": "broker",
                    "open_houses-0-status": "active",
                    "open_houses-0-remarks": "Agents only",
                },
            ),
        )

        assert response.status_code == 302
        assert list(listing.open_houses.values_list("date", "type", "remarks")) == [
            (datetime.date(2026, 12, 20), "broker", "Agents only")
        ]

    def test_second_save_from_a_stale_form_is_a_conflict(self, admin_client):
        listing = PropertyFactory(price=Decimal("100000.00"))
        page = admin_client.get(f"{CHANGELIST}{listing.pk}/change/")
        stale = page.context["adminform"].form["loaded_etag"].value()
        first = admin_client.post(
            f"{CHANGELIST}{listing.pk}/change/",
            change_form_data(listing, price="90000.00", loaded_etag=stale),
        )
        assert first.status_code == 302

        second = admin_client.post(
            f"{CHANGELIST}{listing.pk}/change/",
            change_form_data(listing, price="80000.00", loaded_etag=stale),
        )

        assert second.status_code == 200
        assert "Someone else changed this listing" in second.content.decode()
        listing.refresh_from_db()
        assert listing.price == Decimal("90000.00")

    def test_adding_without_mls_number_generates_one(self, admin_client):
        blank = PropertyFactory.build(listing_agent=None, mls_number=None)

        response = admin_client.post(
            f"{CHANGELIST}add/", change_form_data(blank, mls_number="", loaded_etag="")
        )

        assert response.status_code == 302
        listing = Property.objects.get()
        assert listing.mls_number == f"H{listing.pk:07d}"


class TestActions:
    def test_bulk_status_change(self, admin_client):
        chosen = PropertyFactory.create_batch(2, status="active")
        untouched = PropertyFactory(status="active")

        response = admin_client.post(
            CHANGELIST,
            {"action": "mark_pending", "_selected_action": [p.pk for p in chosen]},
            follow=True,
        )

        assert "2 listing(s) marked pending." in response.content.decode()
        assert sorted(
            Property.objects.filter(status="pending").values_list("pk", flat=True)
        ) == sorted(p.pk for p in chosen)
        untouched.refresh_from_db()
        assert untouched.status == "active"

    def test_moving_off_sold_clears_sale_fields(self, admin_client):
        from properties.factories import SoldPropertyFactory

        sold = SoldPropertyFactory()

        admin_client.post(CHANGELIST, {"action": "mark_active", "_selected_action": [sold.pk]})

        sold.refresh_from_db()
        assert (sold.status, sold.sold_at, sold.sold_price) == ("active", None, None)
        # The bulk action stamps the status change as every other path does
        assert sold.status_changed_at.date() == timezone.localdate()

    def test_export_selected_as_csv_with_reso_columns_and_safe_cells(self, admin_client):
        evil = PropertyFactory(description='=HYPERLINK("http://x")', mls_number="EV1")
        PropertyFactory(mls_number="NOT-SELECTED")

        response = admin_client.post(
            CHANGELIST, {"action": "export_reso_csv", "_selected_action": [evil.pk]}
        )

        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert [r["ListingId"] for r in rows] == ["EV1"]
        assert rows[0]["PublicRemarks"] == '\'=HYPERLINK("http://x")'
        assert Decimal(rows[0]["ListPrice"]) == evil.price
        assert rows[0]["StandardStatus"] == "Active"


class TestAdminWritesThroughTheServices:
    """Admin saves and photo uploads follow the API's rules: lock, conflict, position, agent."""

    def open(self, admin_client, listing):
        page = admin_client.get(f"{CHANGELIST}{listing.pk}/change/")
        return page.context["adminform"].form["loaded_etag"].value()

    def test_a_change_the_form_never_saw_is_a_conflict_whatever_wrote_it(self, admin_client):
        listing = PropertyFactory(price=Decimal("100000.00"), description="Old roof")
        etag = self.open(admin_client, listing)
        # A write that leaves updated_at alone (raw SQL, another system)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE properties_property SET description = 'New roof' WHERE id = %s",
                [listing.pk],
            )

        response = admin_client.post(
            f"{CHANGELIST}{listing.pk}/change/",
            change_form_data(listing, price="90000.00", loaded_etag=etag),
        )

        assert response.status_code == 200
        assert "Someone else changed this listing" in response.text
        stored = Property.objects.get(pk=listing.pk)
        assert (stored.price, stored.description) == (Decimal("100000.00"), "New roof")

    def test_a_write_between_the_forms_check_and_the_save_is_refused(
        self, admin_client, monkeypatch
    ):
        listing = PropertyFactory(price=Decimal("100000.00"))
        etag = self.open(admin_client, listing)
        # The form's early check passes, then someone saves before the locked write
        monkeypatch.setattr(services, "property_check_unchanged", lambda **kwargs: None)
        Property.objects.filter(pk=listing.pk).update(bedrooms=7)

        response = admin_client.post(
            f"{CHANGELIST}{listing.pk}/change/",
            change_form_data(listing, price="90000.00", loaded_etag=etag),
            follow=True,
        )

        assert response.redirect_chain == [(f"{CHANGELIST}{listing.pk}/change/", 302)]
        assert "Someone else changed this listing" in response.text
        assert Property.objects.get(pk=listing.pk).price == Decimal("100000.00")
        assert not PriceChange.objects.exists()

    def test_a_save_is_the_api_update_service(self, admin_client, monkeypatch):
        listing = PropertyFactory(bedrooms=2)
        etag = self.open(admin_client, listing)
        calls = []
        update = services.property_update
        monkeypatch.setattr(
            services, "property_update", lambda **kw: calls.append(kw) or update(**kw)
        )

        response = admin_client.post(
            f"{CHANGELIST}{listing.pk}/change/",
            change_form_data(listing, bedrooms="4", loaded_etag=etag),
        )

        assert response.status_code == 302
        assert [(c["data"]["bedrooms"], c["if_match"]) for c in calls] == [(4, etag)]
        assert Property.objects.get(pk=listing.pk).bedrooms == 4

    def test_photos_added_together_go_after_the_last_one_in_order(self, admin_client):
        listing = PropertyFactory()
        PropertyPhotoFactory(property=listing, position=4, caption="Front")
        etag = self.open(admin_client, listing)
        forms = {"photos-TOTAL_FORMS": "3", "photos-INITIAL_FORMS": "0"}
        for index, caption in enumerate(["Kitchen", "Garden", "Garage"]):
            forms.update(
                {
                    f"photos-{index}-id": "",
                    f"photos-{index}-property": str(listing.pk),
                    f"photos-{index}-image": jpeg(f"{caption}.jpg"),
                    f"photos-{index}-caption": caption,
                    f"photos-{index}-position": "",
                }
            )

        response = admin_client.post(
            f"{CHANGELIST}{listing.pk}/change/",
            change_form_data(listing, loaded_etag=etag, **forms),
        )

        assert response.status_code == 302, response.context["errors"]
        assert list(
            PropertyPhoto.objects.filter(property=listing)
            .order_by("position")
            .values_list("caption", "position")
        ) == [("Front", 4), ("Kitchen", 5), ("Garden", 6), ("Garage", 7)]

    def test_the_agent_choices_are_the_apis_agent_rule(self, admin_client):
        active, inactive = AgentFactory(), AgentFactory(is_active=False)
        listing = PropertyFactory(listing_agent=None)
        etag = self.open(admin_client, listing)

        response = admin_client.post(
            f"{CHANGELIST}{listing.pk}/change/",
            change_form_data(listing, listing_agent=inactive.pk, loaded_etag=etag),
        )

        assert response.status_code == 200
        assert "listing_agent" in response.context["adminform"].form.errors
        assert Property.objects.get(pk=listing.pk).listing_agent_id is None
        assert set(User.objects.filter(listing_agent_choices())) == {active}
