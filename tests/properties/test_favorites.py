"""Favorites: saving and forgetting listings, and the signed-in user's saved list."""

import pytest

from properties.factories import FavoriteFactory, PropertyFactory, PropertyPhotoFactory
from properties.models import Favorite, Property

pytestmark = pytest.mark.django_db


def favorite_url(listing):
    return f"/api/properties/{listing.pk}/favorite/"


class TestSave:
    def test_post_saves_the_listing(self, client_api, user):
        listing = PropertyFactory()

        response = client_api.post(favorite_url(listing))

        assert response.status_code == 201
        favorite = Favorite.objects.get()
        assert (favorite.user, favorite.property) == (user, listing)
        assert response.json() == {
            "property": listing.pk,
            "created_at": response.json()["created_at"],
        }

    def test_post_twice_keeps_one_favorite(self, client_api, user):
        listing = PropertyFactory()

        first = client_api.post(favorite_url(listing))
        second = client_api.post(favorite_url(listing))

        assert (first.status_code, second.status_code) == (201, 200)
        assert second.json() == first.json()
        assert Favorite.objects.filter(user=user).count() == 1

    def test_anonymous_is_401(self, api_client):
        listing = PropertyFactory()

        assert api_client.post(favorite_url(listing)).status_code == 401
        assert api_client.delete(favorite_url(listing)).status_code == 401
        assert not Favorite.objects.exists()

    @pytest.mark.parametrize("status", [Property.Status.WITHDRAWN, Property.Status.EXPIRED])
    def test_hidden_listing_cannot_be_saved(self, client_api, status):
        listing = PropertyFactory(status=status)

        response = client_api.post(favorite_url(listing))

        assert response.status_code == 404
        assert not Favorite.objects.exists()

    def test_agent_may_save_own_withdrawn_listing(self, agent_api, agent):
        listing = PropertyFactory(status=Property.Status.WITHDRAWN, listing_agent=agent)

        assert agent_api.post(favorite_url(listing)).status_code == 201

    def test_unknown_listing_is_404(self, client_api):
        assert client_api.post("/api/properties/424242/favorite/").status_code == 404
        assert not Favorite.objects.exists()


class TestForget:
    def test_delete_removes_only_own_favorite(self, client_api, user):
        listing = PropertyFactory()
        FavoriteFactory(user=user, property=listing)
        someone_elses = FavoriteFactory(property=listing)

        response = client_api.delete(favorite_url(listing))

        assert response.status_code == 204
        assert list(Favorite.objects.all()) == [someone_elses]

    def test_delete_when_not_saved_is_204(self, client_api):
        listing = PropertyFactory()

        assert client_api.delete(favorite_url(listing)).status_code == 204
        assert not Favorite.objects.exists()


class TestList:
    def test_lists_own_saved_listings_newest_first_in_listing_shape(self, client_api, user):
        older, newer = PropertyFactory(), PropertyFactory()
        client_api.post(favorite_url(older))
        client_api.post(favorite_url(newer))
        FavoriteFactory(property=PropertyFactory())  # someone else's
        FavoriteFactory(property=older)  # someone else's too: no duplicate row
        PropertyFactory()  # not saved

        response = client_api.get("/api/favorites/")

        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 2
        assert [row["id"] for row in body["results"]] == [newer.pk, older.pk]
        row = body["results"][0]
        assert row["url"] == f"http://testserver/api/properties/{newer.pk}/"
        assert row["price"] == f"{newer.price:.2f}"
        assert {"listing_agent", "primary_photo", "photo_count", "mls_number"} <= set(row)

    def test_listing_hidden_after_saving_disappears(self, client_api, user):
        listing = PropertyFactory()
        FavoriteFactory(user=user, property=listing)
        listing.status = Property.Status.WITHDRAWN
        listing.save()

        body = client_api.get("/api/favorites/").json()

        assert (body["count"], body["results"]) == (0, [])

    def test_anonymous_is_401(self, api_client):
        assert api_client.get("/api/favorites/").status_code == 401

    def test_paginated(self, client_api, user):
        for listing in PropertyFactory.create_batch(3):
            FavoriteFactory(user=user, property=listing)

        body = client_api.get("/api/favorites/?page_size=2").json()

        assert body["count"] == 3
        assert len(body["results"]) == 2
        assert body["next"].endswith("page=2&page_size=2")

    @pytest.mark.parametrize("saved", [1, 6])
    def test_query_count_is_fixed(self, client_api, user, django_assert_max_num_queries, saved):
        for listing in PropertyFactory.create_batch(saved):
            FavoriteFactory(user=user, property=listing)
            PropertyPhotoFactory(property=listing)

        # The count and the page, whatever the number of rows.
        with django_assert_max_num_queries(2):
            body = client_api.get("/api/favorites/").json()

        assert len(body["results"]) == saved
        assert [row["photo_count"] for row in body["results"]] == [1] * saved
