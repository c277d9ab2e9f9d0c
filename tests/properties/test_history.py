"""One change history for every listing, whatever path changed it."""

import json
from decimal import Decimal

import pytest
from django.db import connection

from properties import history, services
from properties.factories import PropertyFactory
from properties.models import ListingChange, Property
from properties.reso import listing_to_reso
from tests.properties.command_helpers import run_command
from users.factories import AgentFactory, StaffFactory

pytestmark = pytest.mark.django_db


def trail(listing):
    return [
        (change.context, change.changes)
        for change in history.listing_history(listing_id=listing.pk)
    ]


def as_number(value):
    return Decimal(str(value))


class TestEveryPath:
    def test_raw_sql_is_recorded_without_a_context(self):
        listing = PropertyFactory(city="Austin")
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE properties_property SET city = 'Dallas' WHERE id = %s", [listing.pk]
            )

        assert trail(listing) == [("", {"city": ["Austin", "Dallas"]})]

    def test_queryset_update_inside_a_context_names_it(self):
        listing = PropertyFactory(status="active")
        with history.change_context("sync: test feed"):
            Property.objects.filter(pk=listing.pk).update(status="pending")

        assert trail(listing) == [("sync: test feed", {"status": ["active", "pending"]})]

    def test_nested_contexts_restore_the_outer_one(self):
        listing = PropertyFactory(city="Austin", state="TX")
        with history.change_context("outer"):
            with history.change_context("inner"):
                Property.objects.filter(pk=listing.pk).update(city="Dallas")
            Property.objects.filter(pk=listing.pk).update(state="OK")
        Property.objects.filter(pk=listing.pk).update(city="Tulsa")

        assert [context for context, _ in trail(listing)] == ["", "outer", "inner"]

    def test_bookkeeping_columns_alone_record_nothing(self):
        listing = PropertyFactory()
        services.property_touch(listing_id=listing.pk)

        assert trail(listing) == []

    def test_api_update_names_the_user(self, api_client):
        agent = AgentFactory(first_name="Brian", last_name="Mitchell", username="bmitchell")
        listing = PropertyFactory(listing_agent=agent, price=Decimal("500000"))
        api_client.force_authenticate(agent)

        response = api_client.patch(
            f"/api/properties/{listing.pk}/", {"price": "450000.00"}, format="json"
        )

        assert response.status_code == 200
        [(context, changes)] = trail(listing)
        assert context == "api: Brian Mitchell (bmitchell)"
        assert [as_number(v) for v in changes["price"]] == [Decimal(500000), Decimal(450000)]

    def test_import_names_the_file(self, tmp_path):
        listing = PropertyFactory(mls_number="IMP1", price=Decimal("100000"))
        source = tmp_path / "feed.json"
        record = listing_to_reso(listing)
        record["ListPrice"] = 120000
        source.write_text(json.dumps([record], default=str))

        run_command("import_listings", str(source))

        [(context, changes)] = trail(listing)
        assert context == "import_listings: feed.json"
        assert [as_number(v) for v in changes["price"]] == [Decimal(100000), Decimal(120000)]


class TestApi:
    def test_staff_read_the_history(self, api_client):
        listing = PropertyFactory(city="Austin")
        with history.change_context("admin: ops"):
            Property.objects.filter(pk=listing.pk).update(city="Dallas")
        api_client.force_authenticate(StaffFactory())

        response = api_client.get(f"/api/properties/{listing.pk}/history/")

        assert response.status_code == 200
        [row] = response.json()["results"]
        assert row["context"] == "admin: ops"
        assert row["changes"] == {"city": ["Austin", "Dallas"]}
        assert row["id"] == ListingChange.objects.get().pk

    def test_agents_are_refused(self, api_client):
        agent = AgentFactory()
        listing = PropertyFactory(listing_agent=agent)
        api_client.force_authenticate(agent)

        response = api_client.get(f"/api/properties/{listing.pk}/history/")

        assert response.status_code == 403

    def test_list_costs_the_same_queries_whatever_its_length(
        self, api_client, django_assert_max_num_queries
    ):
        listing = PropertyFactory()
        for city in ("A", "B", "C", "D"):
            Property.objects.filter(pk=listing.pk).update(city=city)
        api_client.force_authenticate(StaffFactory())
        with django_assert_max_num_queries(4):
            response = api_client.get(f"/api/properties/{listing.pk}/history/")
        assert response.json()["count"] == 4
