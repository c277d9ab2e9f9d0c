"""The response cache of a listing's detail: hits, its ETag, roles and every write path.

Each invalidation test reads the detail (filling the cache), writes through one
path, and reads again: a path the data version's triggers missed would be
answered from the stale entry.
"""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from properties import services
from properties.conditional import listing_etag
from properties.factories import PropertyFactory, PropertyPhotoFactory
from properties.models import Property, PropertyPhoto
from tests.properties.caches import BrokenCache
from tests.properties.command_helpers import reso_row, run_command, write_csv
from tests.properties.test_admin import change_form_data
from tests.properties.uploads import jpeg
from users.factories import AgentFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

# Headers that differ between any two responses, cached or not.
PER_RESPONSE = {"X-Request-ID", "Date"}


def url(listing):
    return f"/api/properties/{listing.pk}/"


def client_for(user=None):
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def read(api, listing, **headers):
    response = api.get(url(listing), **headers)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


class TestHits:
    def test_a_hit_is_one_query_and_the_same_response(self, api_client, django_assert_num_queries):
        listing = PropertyFactory(listing_agent=AgentFactory())
        PropertyPhotoFactory(property=listing)
        first = api_client.get(url(listing))

        with django_assert_num_queries(1) as queries:
            second = api_client.get(url(listing))

        assert "properties_listingdataversion" in queries[0]["sql"]  # no listing read
        assert second.status_code == 200
        assert second.content == first.content
        assert second["ETag"] == first["ETag"]

    @pytest.mark.parametrize("role", ["anonymous", "client", "agent", "staff"])
    @pytest.mark.parametrize("accept", ["application/json", "application/json; indent=2"])
    def test_a_hit_answers_byte_for_byte_what_the_uncached_view_answers(
        self, settings, role, accept
    ):
        owner = AgentFactory()
        listing = PropertyFactory(
            listing_agent=owner,
            status="active",
            latitude=Decimal("30.27"),
            longitude=Decimal("-97.74"),
        )
        PropertyPhotoFactory(property=listing)
        user = {
            "anonymous": None,
            "client": UserFactory(),
            "agent": owner,
            "staff": StaffFactory(),
        }[role]
        api = client_for(user)
        settings.API_RESPONSE_CACHE = False
        uncached = api.get(url(listing), {"near": "30.27,-97.74"}, HTTP_ACCEPT=accept)
        settings.API_RESPONSE_CACHE = True
        api.get(url(listing), {"near": "30.27,-97.74"}, HTTP_ACCEPT=accept)  # the miss fills it

        hit = api.get(url(listing), {"near": "30.27,-97.74"}, HTTP_ACCEPT=accept)

        assert hit.status_code == uncached.status_code == 200
        assert hit.content == uncached.content
        assert hit["ETag"] == uncached["ETag"] == listing_etag(Property.objects.get())
        names = set(uncached.headers) - PER_RESPONSE
        assert set(hit.headers) - PER_RESPONSE == names
        assert {n: hit.headers[n] for n in names} == {n: uncached.headers[n] for n in names}

    def test_each_query_string_and_host_has_its_own_entry(self, api_client):
        listing = PropertyFactory(latitude=Decimal("30.27"), longitude=Decimal("-97.74"))

        assert read(api_client, listing)["distance_km"] is None
        near = api_client.get(url(listing), {"near": "30.27,-97.74"}).json()
        assert near["distance_km"] == 0.0
        other_host = read(api_client, listing, HTTP_HOST="localhost")
        assert other_host["url"] == f"http://localhost{url(listing)}"

    def test_not_found_is_not_cached(self, api_client):
        listing = PropertyFactory(status="withdrawn")
        assert api_client.get(url(listing)).status_code == 404

        Property.objects.filter(pk=listing.pk).update(status="active")

        assert api_client.get(url(listing)).status_code == 200

    def test_a_failing_cache_still_answers(self, api_client, monkeypatch):
        listing = PropertyFactory()
        monkeypatch.setattr("properties.caching.cache", BrokenCache())

        assert read(api_client, listing)["id"] == listing.pk
        assert read(api_client, listing)["id"] == listing.pk


class TestConditional:
    def test_current_etag_is_304_from_the_entry(self, api_client, django_assert_num_queries):
        listing = PropertyFactory()
        etag = api_client.get(url(listing))["ETag"]

        with django_assert_num_queries(1) as queries:
            response = api_client.get(url(listing), HTTP_IF_NONE_MATCH=etag)

        assert "properties_listingdataversion" in queries[0]["sql"]

        assert response.status_code == 304
        assert response["ETag"] == etag
        assert response.content == b""

    @pytest.mark.parametrize("cache_on", [True, False])
    def test_304_on_a_miss_and_with_the_cache_off(self, api_client, settings, cache_on):
        listing = PropertyFactory()
        etag = api_client.get(url(listing))["ETag"]
        settings.API_RESPONSE_CACHE = cache_on
        cache.clear()

        response = api_client.get(url(listing), HTTP_IF_NONE_MATCH=f'W/{etag}, "other"')
        star = api_client.get(url(listing), HTTP_IF_NONE_MATCH="*")

        assert (response.status_code, response["ETag"]) == (304, etag)
        assert star.status_code == 304
        # The 304s stored nothing in place of the body.
        assert read(api_client, listing)["id"] == listing.pk

    def test_star_on_a_listing_the_caller_may_not_see_is_404(self, api_client):
        listing = PropertyFactory(status="withdrawn")

        assert api_client.get(url(listing), HTTP_IF_NONE_MATCH="*").status_code == 404

    def test_the_tag_of_a_cached_read_is_the_one_if_match_accepts(self, agent):
        listing = PropertyFactory(listing_agent=agent, price=Decimal("500000.00"))
        api = client_for(agent)
        api.get(url(listing))
        etag = api.get(url(listing))["ETag"]  # a hit

        saved = api.patch(url(listing), {"price": "490000.00"}, HTTP_IF_MATCH=etag)
        stale = api.patch(url(listing), {"price": "1.00"}, HTTP_IF_MATCH=etag)

        assert saved.status_code == 200
        assert stale.status_code == 412
        after = api.get(url(listing), HTTP_IF_NONE_MATCH=etag)
        assert after.status_code == 200
        assert after["ETag"] == saved["ETag"] != etag
        assert after.json()["price"] == "490000.00"


class TestScopes:
    def test_a_withdrawn_listing_never_reaches_a_role_that_may_not_see_it(self):
        owner, other_agent, staff = AgentFactory(), AgentFactory(), StaffFactory()
        hidden = PropertyFactory(status="withdrawn", listing_agent=owner)

        # The owner reads first, so their detail is the one in the cache.
        assert read(client_for(owner), hidden)["status"] == "withdrawn"

        for user in (None, UserFactory(), other_agent):
            assert client_for(user).get(url(hidden)).status_code == 404
            assert client_for(user).get(url(hidden), HTTP_IF_NONE_MATCH="*").status_code == 404
        assert read(client_for(staff), hidden)["status"] == "withdrawn"
        assert read(client_for(owner), hidden)["status"] == "withdrawn"

    def test_a_listing_withdrawn_after_it_was_cached_disappears_for_the_public(self, agent):
        listing = PropertyFactory(status="active", listing_agent=agent)
        assert read(client_for(), listing)["status"] == "active"

        client_for(agent).patch(url(listing), {"status": "withdrawn"})

        assert client_for().get(url(listing)).status_code == 404
        assert read(client_for(agent), listing)["status"] == "withdrawn"

    def test_a_bad_token_is_401_even_when_the_detail_is_cached(self, api_client):
        listing = PropertyFactory()
        read(api_client, listing)

        assert api_client.get(url(listing), HTTP_AUTHORIZATION="Token wrong").status_code == 401


class TestEveryWritePathRefreshesTheDetail:
    def test_api_update_and_delete(self, agent):
        listing = PropertyFactory(listing_agent=agent, bedrooms=2)
        api = client_for()
        assert read(api, listing)["bedrooms"] == 2

        client_for(agent).patch(url(listing), {"bedrooms": 4})
        assert read(api, listing)["bedrooms"] == 4

        client_for(agent).delete(url(listing))
        assert api.get(url(listing)).status_code == 404

    def test_admin_change_form_and_bulk_action(self, client):
        client.force_login(StaffFactory(is_superuser=True))
        listing = PropertyFactory(status="active", description="Old roof")
        api = client_for()
        assert read(api, listing)["description"] == "Old roof"

        change = f"/admin/properties/property/{listing.pk}/change/"
        etag = client.get(change).context["adminform"].form["loaded_etag"].value()
        saved = client.post(
            change, change_form_data(listing, description="New roof", loaded_etag=etag)
        )
        assert saved.status_code == 302
        assert read(api, listing)["description"] == "New roof"

        client.post(
            "/admin/properties/property/",
            {"action": "mark_withdrawn", "_selected_action": [listing.pk]},
        )
        assert api.get(url(listing)).status_code == 404

    def test_import_listings(self, tmp_path):
        listing = PropertyFactory(mls_number="IMP1", price=Decimal("450000.00"))
        api = client_for()
        assert read(api, listing)["price"] == "450000.00"

        feed = write_csv(tmp_path, [reso_row("IMP1", ListPrice="425000")])
        assert run_command("import_listings", feed).code == 0

        assert read(api, listing)["price"] == "425000.00"

    @pytest.mark.parametrize("path", ["update", "bulk_update", "raw_sql"])
    def test_writes_that_run_no_model_code(self, path):
        listing = PropertyFactory(price=Decimal("100000.00"))
        api = client_for()
        assert read(api, listing)["price"] == "100000.00"

        if path == "update":
            Property.objects.filter(pk=listing.pk).update(price=Decimal("90000.00"))
        elif path == "bulk_update":
            listing.price = Decimal("90000.00")
            Property.objects.bulk_update([listing], ["price"])
        else:
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE properties_property SET price = 90000 WHERE id = %s", [listing.pk]
                )

        assert read(api, listing)["price"] == "90000.00"

    def test_photos_through_the_api_the_service_and_a_reorder(self, agent):
        listing = PropertyFactory(listing_agent=agent)
        api = client_for()
        assert read(api, listing)["photo_count"] == 0

        uploaded = client_for(agent).post(
            f"{url(listing)}photos/", {"image": jpeg()}, format="multipart"
        )
        assert uploaded.status_code == 201, uploaded.content
        shown = read(api, listing)
        assert shown["photo_count"] == 1 and shown["primary_photo"] is not None

        second = PropertyPhotoFactory(property=listing, position=5)
        # A reorder that leaves the listing row alone must still show.
        PropertyPhoto.objects.exclude(pk=second.pk).update(position=9)
        PropertyPhoto.objects.filter(pk=second.pk).update(position=0)
        assert read(api, listing)["primary_photo"].endswith(second.image.name)

        services.photo_delete(photo=second)
        assert read(api, listing)["photo_count"] == 1

    def test_the_agents_phone_change_and_deletion(self, agent):
        listing = PropertyFactory(listing_agent=agent)
        api = client_for()
        assert read(api, listing)["listing_agent"]["phone"] == agent.phone

        changed = client_for(agent).patch("/api/users/me/", {"phone": "+1 512 555 0199"})
        assert changed.status_code == 200
        assert read(api, listing)["listing_agent"]["phone"] == "+1 512 555 0199"

        agent.delete()  # the listing stays, without an agent
        assert read(api, listing)["listing_agent"] is None
