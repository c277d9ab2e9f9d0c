"""The response cache of the listing list and market stats: hits, ETags, scopes, invalidation.

Each invalidation test warms the cache, writes through one path, and reads
again: a write path the data version triggers missed would be served the
stale cached body.
"""

import threading
from decimal import Decimal

import psycopg
import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from properties import services
from properties.caching import listing_data_version
from properties.factories import PropertyFactory, PropertyPhotoFactory
from properties.models import ListingDataVersion, Property, PropertyPhoto
from tests.properties.caches import BrokenCache
from tests.properties.command_helpers import reso_row, run_command, write_csv
from tests.properties.test_admin import change_form_data
from tests.properties.uploads import jpeg
from users.factories import AgentFactory, StaffFactory, UserFactory
from users.models import User

pytestmark = pytest.mark.django_db

LIST = "/api/properties/"
STATS = "/api/market-stats/"


def client_for(user=None):
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def listed(api, **params):
    """{listing id: row} of the list as ``api`` reads it, asserting it was a 200."""
    response = api.get(LIST, {"page_size": 100, **params})
    assert response.status_code == 200, response.content
    return {row["id"]: row for row in response.json()["results"]}


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


class TestHits:
    def test_a_cached_list_is_one_query(self, api_client, django_assert_num_queries):
        PropertyPhotoFactory(property=PropertyFactory())
        first = api_client.get(LIST)

        with django_assert_num_queries(1):  # the data version only
            second = api_client.get(LIST)

        assert second.status_code == 200
        assert second.content == first.content
        assert second["ETag"] == first["ETag"]
        assert second["Content-Type"] == "application/json"

    @pytest.mark.parametrize("path", [LIST, STATS, f"{LIST}?page_size=1&page=2"])
    def test_a_hit_answers_what_the_uncached_view_answers(self, api_client, settings, path):
        PropertyFactory.create_batch(2)
        settings.API_RESPONSE_CACHE = False
        uncached = api_client.get(path, HTTP_ACCEPT="application/json; indent=2")
        settings.API_RESPONSE_CACHE = True
        api_client.get(path, HTTP_ACCEPT="application/json; indent=2")  # the miss fills it

        hit = api_client.get(path, HTTP_ACCEPT="application/json; indent=2")

        assert hit.content == uncached.content
        assert b'\n  "count"' in hit.content  # the requested indent, as DRF renders it
        headers = {name: hit.headers.get(name) for name in ("Content-Type", "Vary", "Allow")}
        assert headers == {name: uncached.headers.get(name) for name in headers}

    def test_market_stats_are_cached(self, api_client, django_assert_num_queries):
        PropertyFactory(price=Decimal("300000.00"), living_area=1000)
        first = api_client.get(STATS)

        with django_assert_num_queries(1):
            second = api_client.get(STATS)

        assert second.json() == first.json()
        assert second.json()["count"] == 1

    def test_each_url_and_host_has_its_own_entry(self, api_client):
        PropertyFactory(status="active")
        PropertyFactory(status="sold")

        assert len(api_client.get(LIST).json()["results"]) == 2
        assert len(api_client.get(LIST, {"status": "sold"}).json()["results"]) == 1
        # The body holds absolute URLs: another host must not get this one's links.
        other = api_client.get(LIST, HTTP_HOST="localhost").json()["results"][0]
        assert other["url"].startswith("http://localhost/")

    def test_errors_are_not_cached(self, api_client):
        response = api_client.get(LIST, {"price_min": "cheap"})

        assert response.status_code == 400
        assert "ETag" not in response

    def test_browsable_api_html_is_not_cached(self, api_client, django_assert_max_num_queries):
        PropertyFactory()
        first = api_client.get(LIST, HTTP_ACCEPT="text/html")
        second = api_client.get(LIST, HTTP_ACCEPT="text/html")

        assert second["Content-Type"].startswith("text/html")
        assert "ETag" not in first and "ETag" not in second
        # Nor does the HTML request leave a JSON entry behind: JSON is built in full.
        with CaptureQueriesContext(connection) as queries:
            api_client.get(LIST)
        assert len(queries) == 3  # data version, count, page

    def test_a_failing_cache_still_answers(self, api_client, monkeypatch):
        listing = PropertyFactory()
        monkeypatch.setattr("properties.caching.cache", BrokenCache())

        for url in (LIST, STATS):
            response = api_client.get(url)
            assert response.status_code == 200
        assert [row["id"] for row in api_client.get(LIST).json()["results"]] == [listing.pk]

    def test_off_means_no_token_query_no_etag_no_cache(
        self, api_client, settings, django_assert_num_queries
    ):
        settings.API_RESPONSE_CACHE = False
        settings.LISTING_READ_MEMO = False  # its own token query: tests/properties/test_memo.py
        PropertyFactory()

        for _ in range(2):
            with django_assert_num_queries(2):  # count + page, every time
                response = api_client.get(LIST, HTTP_IF_NONE_MATCH="*")
            assert response.status_code == 200
            assert "ETag" not in response
        assert "ETag" not in api_client.get(STATS)


class TestConditionalGet:
    @pytest.mark.parametrize("url", [LIST, STATS])
    def test_current_etag_is_304_without_reading_listings(
        self, api_client, django_assert_num_queries, url
    ):
        PropertyFactory()
        etag = api_client.get(url)["ETag"]
        cache.clear()  # a 304 needs neither the cached body nor the listings

        with django_assert_num_queries(1):
            response = api_client.get(url, HTTP_IF_NONE_MATCH=etag)

        assert response.status_code == 304
        assert response["ETag"] == etag
        assert response.content == b""
        assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")

    def test_a_write_changes_the_etag(self, agent):
        listing = PropertyFactory(listing_agent=agent)
        api = client_for()
        etag = api.get(LIST)["ETag"]

        client_for(agent).patch(f"{LIST}{listing.pk}/", {"bedrooms": 7})
        response = api.get(LIST, HTTP_IF_NONE_MATCH=etag)

        assert response.status_code == 200
        assert response["ETag"] != etag
        assert response.json()["results"][0]["bedrooms"] == 7

    def test_etag_is_per_scope(self, agent):
        PropertyFactory(listing_agent=agent)
        anonymous_etag = client_for().get(LIST)["ETag"]

        response = client_for(agent).get(LIST, HTTP_IF_NONE_MATCH=anonymous_etag)

        assert response.status_code == 200

    def test_star_is_not_a_match_for_a_list(self, api_client):
        assert api_client.get(LIST, {"price_min": "x"}, HTTP_IF_NONE_MATCH="*").status_code == 400


class TestScopes:
    def test_an_agents_hidden_listing_never_reaches_others_from_the_cache(self):
        owner, other_agent = AgentFactory(), AgentFactory()
        public = PropertyFactory(status="active")
        hidden = PropertyFactory(status="withdrawn", listing_agent=owner)

        # The owner reads first, so their list is the one in the cache.
        assert set(listed(client_for(owner))) == {public.pk, hidden.pk}

        assert set(listed(client_for())) == {public.pk}
        assert set(listed(client_for(UserFactory()))) == {public.pk}
        assert set(listed(client_for(other_agent))) == {public.pk}
        assert set(listed(client_for(StaffFactory()))) == {public.pk, hidden.pk}
        # And the other way round: a cached public list does not hide the owner's.
        assert set(listed(client_for(owner))) == {public.pk, hidden.pk}
        assert client_for().get(STATS).json()["count"] == 1
        assert client_for(owner).get(STATS).json()["count"] == 2

    def test_authentication_and_throttling_still_run_on_a_hit(self, api_client, monkeypatch):
        PropertyFactory()
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "2/min")
        assert api_client.get(LIST).status_code == 200  # cached now

        assert api_client.get(LIST, HTTP_AUTHORIZATION="Token wrong").status_code == 401
        assert api_client.get(LIST).status_code == 200
        assert api_client.get(LIST).status_code == 429


class TestInvalidation:
    """Every write path that changes what the list shows moves the data version."""

    def test_api_create_update_delete(self, agent):
        api, agent_api = client_for(), client_for(agent)
        assert listed(api) == {}

        created = agent_api.post(
            LIST,
            {
                "property_type": "residential",
                "street_address": "1 Elm St",
                "city": "Austin",
                "state": "TX",
                "postal_code": "78701",
                "price": "250000.00",
            },
        ).json()
        assert list(listed(api)) == [created["id"]]

        agent_api.patch(f"{LIST}{created['id']}/", {"price": "240000.00"})
        assert listed(api)[created["id"]]["price"] == "240000.00"

        agent_api.delete(f"{LIST}{created['id']}/")
        assert listed(api) == {}

    def test_photo_upload_and_delete_through_the_api(self, agent):
        listing = PropertyFactory(listing_agent=agent)
        api = client_for()
        assert listed(api)[listing.pk]["photo_count"] == 0

        photo = client_for(agent).post(
            f"{LIST}{listing.pk}/photos/", {"image": jpeg()}, format="multipart"
        )
        assert photo.status_code == 201, photo.content
        row = listed(api)[listing.pk]
        assert row["photo_count"] == 1
        assert row["primary_photo"] is not None

        client_for(agent).delete(f"{LIST}{listing.pk}/photos/{photo.json()['id']}/")
        assert listed(api)[listing.pk]["photo_count"] == 0

    def test_photo_service_and_reorder_without_touching_the_listing(self):
        listing = PropertyFactory()
        first, second = PropertyPhotoFactory.create_batch(2, property=listing)
        PropertyPhoto.objects.filter(pk=first.pk).update(position=0)
        PropertyPhoto.objects.filter(pk=second.pk).update(position=1)
        api = client_for()
        assert listed(api)[listing.pk]["primary_photo"].endswith(first.image.name)

        # A reorder that leaves the listing row alone must still show.
        PropertyPhoto.objects.filter(pk=second.pk).update(position=0)
        PropertyPhoto.objects.filter(pk=first.pk).update(position=5)
        assert listed(api)[listing.pk]["primary_photo"].endswith(second.image.name)

        services.photo_delete(photo=second)
        assert listed(api)[listing.pk]["photo_count"] == 1

    def test_admin_change_form_and_bulk_action(self, client):
        client.force_login(StaffFactory(is_superuser=True))
        listing = PropertyFactory(status="active", description="Old roof")
        api = client_for()
        assert listed(api)[listing.pk]["description"] == "Old roof"

        change = f"/admin/properties/property/{listing.pk}/change/"
        etag = client.get(change).context["adminform"].form["loaded_etag"].value()
        saved = client.post(
            change, change_form_data(listing, description="New roof", loaded_etag=etag)
        )
        assert saved.status_code == 302
        assert listed(api)[listing.pk]["description"] == "New roof"

        client.post(
            "/admin/properties/property/",
            {"action": "mark_withdrawn", "_selected_action": [listing.pk]},
        )
        assert listed(api) == {}

    def test_import_listings(self, tmp_path):
        existing = PropertyFactory(mls_number="IMP1", price=Decimal("450000.00"))
        api = client_for()
        assert list(listed(api)) == [existing.pk]

        feed = write_csv(
            tmp_path, [reso_row("IMP1", ListPrice="425000"), reso_row("IMP2", ListPrice="99000")]
        )
        assert run_command("import_listings", feed).code == 0

        rows = {row["mls_number"]: row for row in listed(api).values()}
        assert rows["IMP1"]["price"] == "425000.00"
        assert rows["IMP2"]["price"] == "99000.00"

    @pytest.mark.parametrize("path", ["update", "bulk_update", "bulk_create", "delete"])
    def test_queryset_writes_that_run_no_model_code(self, path):
        listing = PropertyFactory(price=Decimal("100000.00"))
        api = client_for()
        assert list(listed(api)) == [listing.pk]

        if path == "update":
            Property.objects.filter(pk=listing.pk).update(price=Decimal("90000.00"))
            expected = {listing.pk: "90000.00"}
        elif path == "bulk_update":
            listing.price = Decimal("80000.00")
            Property.objects.bulk_update([listing], ["price"])
            expected = {listing.pk: "80000.00"}
        elif path == "bulk_create":
            (new,) = Property.objects.bulk_create(
                [PropertyFactory.build(listing_agent=None, price=Decimal("5.00"))]
            )
            new_id = Property.objects.get(mls_number=new.mls_number).pk
            expected = {listing.pk: "100000.00", new_id: "5.00"}
        else:
            Property.objects.filter(pk=listing.pk).delete()
            expected = {}

        assert {pk: row["price"] for pk, row in listed(api).items()} == expected

    def test_agent_profile_edit_and_agent_deletion(self, agent):
        listing = PropertyFactory(listing_agent=agent)
        api = client_for()
        assert listed(api)[listing.pk]["listing_agent"]["phone"] == agent.phone

        response = client_for(agent).patch("/api/users/me/", {"phone": "+1 512 555 0199"})
        assert response.status_code == 200
        assert listed(api)[listing.pk]["listing_agent"]["phone"] == "+1 512 555 0199"

        agent.delete()  # the listing stays, without an agent
        assert listed(api)[listing.pk]["listing_agent"] is None

    def test_market_stats_follow_writes(self):
        listing = PropertyFactory(price=Decimal("200000.00"), living_area=1000)
        api = client_for()
        assert api.get(STATS).json()["average_price"] == "200000.00"

        Property.objects.filter(pk=listing.pk).update(price=Decimal("300000.00"))

        assert api.get(STATS).json()["average_price"] == "300000.00"


class TestDataVersion:
    def test_a_rolled_back_write_never_brings_back_a_used_token(self):
        before = listing_data_version()

        with pytest.raises(RuntimeError), transaction.atomic():
            PropertyFactory()
            rolled_back = listing_data_version()
            raise RuntimeError

        assert listing_data_version() == before
        PropertyFactory()
        after = listing_data_version()
        assert after not in {before, rolled_back}

    def test_it_is_the_token_the_model_holds(self):
        PropertyFactory()

        assert listing_data_version() == ListingDataVersion.objects.get().token

    def test_writes_to_unrelated_tables_keep_it(self):
        listing, user = PropertyFactory(), UserFactory()
        before = listing_data_version()

        services.favorite_add(user=user, listing=listing)
        services.inquiry_send(listing=listing, message="Hi", name="Ann", email="a@example.com")

        assert listing_data_version() == before

    def test_sign_ups_logins_and_unshown_profile_fields_keep_it(self, client):
        agent = AgentFactory(password="a-long-enough-passphrase")
        PropertyFactory(listing_agent=agent)
        before = listing_data_version()

        response = APIClient().post(
            "/api/auth/register/",
            {"username": "newcomer", "email": "new@example.com", "password": "x7!long-phrase-ok"},
            format="json",
        )
        assert response.status_code == 201
        assert client.login(username=agent.username, password="a-long-enough-passphrase")
        User.objects.filter(pk=agent.pk).update(bio="Twenty years in Austin", license_number="L1")

        assert listing_data_version() == before

    def test_a_listing_agents_shown_columns_and_user_deletion_replace_it(self):
        # Known starting values, so every update below really changes the column.
        agent = AgentFactory(
            first_name="Ann",
            last_name="Lee",
            email="ann@example.com",
            phone="555-0100",
            username="alee",
        )
        client_user = UserFactory()
        PropertyFactory(listing_agent=agent)
        tokens = [listing_data_version()]

        for column, value in [
            ("first_name", "Brian"),
            ("last_name", "Mitchell"),
            ("email", "brian@example.com"),
            ("phone", "555-0142"),
            ("username", "bmitchell"),
        ]:
            User.objects.filter(pk=agent.pk).update(**{column: value})
            tokens.append(listing_data_version())
        client_user.delete()
        tokens.append(listing_data_version())

        assert len(set(tokens)) == len(tokens) == 7


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's commit-time token")
@pytest.mark.django_db(transaction=True)
class TestDataVersionAtCommit:
    """Outside the test settings, PostgreSQL replaces the token when a writer commits."""

    def connect(self):
        params = connection.get_connection_params()
        keep = {"dbname", "user", "password", "host", "port", "connect_timeout"}
        # Without the test settings' hearth.listing_version_immediate: as deployed.
        return psycopg.connect(**{k: v for k, v in params.items() if k in keep})

    def test_token_changes_on_commit_and_writers_do_not_deadlock(self):
        listing, other = PropertyFactory(), PropertyFactory()
        before = listing_data_version()
        touch = "UPDATE properties_property SET updated_at = now() WHERE id = %s"
        with self.connect() as editor, self.connect() as uploader:
            # An If-Match edit locks a listing; an upload writes a photo of another
            # listing, then touches the first and waits for the edit. Had the upload
            # taken the version row at its first write, the edit's own write would
            # now wait for the upload: a deadlock.
            lock = "SELECT 1 FROM properties_property WHERE id = %s FOR UPDATE"
            editor.execute(lock, [listing.pk])
            uploader.execute(
                "INSERT INTO properties_propertyphoto (property_id, image, caption, position, "
                "created_at) VALUES (%s, 'photos/x.jpg', '', 0, now())",
                [other.pk],
            )
            errors = []

            def upload_touches_the_listing():
                try:
                    uploader.execute(touch, [listing.pk])
                    uploader.commit()
                except Exception as exc:  # reported by the assertion below
                    errors.append(exc)

            waiting = threading.Thread(target=upload_touches_the_listing)
            waiting.start()
            editor.execute(touch, [listing.pk])
            assert listing_data_version() == before  # nothing committed yet
            editor.commit()
            waiting.join(timeout=10)

        assert errors == []
        assert listing_data_version() != before
