"""Credentials can be revoked and expire; private answers are never cached (finding 9)."""

from datetime import timedelta

import jwt
import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from properties.factories import FavoriteFactory, InquiryFactory
from users.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGOUT = "/api/auth/logout/"
ME = "/api/users/me/"


def _pair(user):
    response = APIClient().post(
        "/api/auth/jwt/", {"username": user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    return response.json()


def _token(user):
    response = APIClient().post(
        "/api/auth/token/", {"username": user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    return response.json()["token"]


def _as(authorization):
    return APIClient(headers={"Authorization": authorization})


class TestLogout:
    def test_revokes_the_api_token_it_is_called_with(self):
        user = UserFactory()
        token = _token(user)

        response = _as(f"Token {token}").post(LOGOUT)

        assert response.status_code == 204
        assert response.content == b""
        assert not Token.objects.filter(user=user).exists()
        assert _as(f"Token {token}").get(ME).status_code == 401

    def test_blacklists_the_refresh_token_given(self):
        user = UserFactory()
        pair = _pair(user)

        response = _as(f"Bearer {pair['access']}").post(LOGOUT, {"refresh": pair["refresh"]})

        assert response.status_code == 204
        assert BlacklistedToken.objects.filter(token__user=user).count() == 1
        refreshed = APIClient().post("/api/auth/jwt/refresh/", {"refresh": pair["refresh"]})
        assert refreshed.status_code == 401
        assert "access" not in refreshed.json()

    def test_with_a_token_and_a_refresh_revokes_both(self):
        user = UserFactory()
        token, pair = _token(user), _pair(user)

        response = _as(f"Token {token}").post(LOGOUT, {"refresh": pair["refresh"]})

        assert response.status_code == 204
        assert not Token.objects.filter(user=user).exists()
        assert BlacklistedToken.objects.filter(token__user=user).count() == 1

    def test_another_accounts_refresh_token_is_refused_and_kept(self):
        user, other = UserFactory(), UserFactory()
        token, others_pair = _token(user), _pair(other)

        response = _as(f"Token {token}").post(LOGOUT, {"refresh": others_pair["refresh"]})

        assert response.status_code == 400
        assert list(response.json()) == ["refresh"]
        assert Token.objects.filter(key=token).exists()
        assert not BlacklistedToken.objects.exists()

    @pytest.mark.parametrize("refresh", ["not-a-jwt", "", 42])
    def test_a_bad_refresh_token_names_the_field(self, refresh):
        token = _token(UserFactory())

        response = _as(f"Token {token}").post(LOGOUT, {"refresh": refresh})

        assert response.status_code == 400
        assert list(response.json()) == ["refresh"]
        assert Token.objects.filter(key=token).exists()

    def test_a_form_body_is_refused_and_revokes_nothing(self):
        token = _token(UserFactory())

        response = _as(f"Token {token}").post(LOGOUT, {"refresh": ""}, format="multipart")

        assert response.status_code == 415  # request bodies are JSON (SPEC 3)
        assert Token.objects.filter(key=token).exists()

    def test_anonymous_is_401(self, api_client):
        response = api_client.post(LOGOUT)

        assert response.status_code == 401

    def test_ends_a_browser_session(self, client):
        user = UserFactory()
        client.force_login(user)

        response = client.post(LOGOUT, content_type="application/json")

        assert response.status_code == 204
        assert client.get(ME).status_code == 401


class TestRefreshRotation:
    def test_refresh_answers_a_new_refresh_token_and_the_old_one_stops_working(self):
        pair = _pair(UserFactory())

        first = APIClient().post("/api/auth/jwt/refresh/", {"refresh": pair["refresh"]})
        replay = APIClient().post("/api/auth/jwt/refresh/", {"refresh": pair["refresh"]})

        assert first.status_code == 200
        assert set(first.json()) == {"access", "refresh"}
        assert first.json()["refresh"] != pair["refresh"]
        assert replay.status_code == 401
        second = APIClient().post("/api/auth/jwt/refresh/", {"refresh": first.json()["refresh"]})
        assert second.status_code == 200


class TestTokenExpiry:
    def test_a_token_older_than_the_ttl_is_refused_and_deleted(self, settings):
        settings.API_TOKEN_TTL = 3600
        user = UserFactory()
        token = _token(user)
        Token.objects.filter(key=token).update(created=timezone.now() - timedelta(seconds=3601))

        response = _as(f"Token {token}").get(ME)

        assert response.status_code == 401
        assert "expired" in response.json()["detail"]
        assert not Token.objects.filter(key=token).exists()

    def test_a_token_within_the_ttl_works(self, settings):
        settings.API_TOKEN_TTL = 3600
        user = UserFactory()
        token = _token(user)
        Token.objects.filter(key=token).update(created=timezone.now() - timedelta(seconds=3500))

        assert _as(f"Token {token}").get(ME).status_code == 200

    def test_signing_in_again_replaces_an_expired_token(self, settings):
        settings.API_TOKEN_TTL = 3600
        user = UserFactory()
        old = _token(user)
        Token.objects.filter(key=old).update(created=timezone.now() - timedelta(days=1))

        new = _token(user)

        assert new != old
        assert list(Token.objects.filter(user=user).values_list("key", flat=True)) == [new]
        assert _as(f"Token {new}").get(ME).status_code == 200

    def test_signing_in_again_within_the_ttl_answers_the_same_token(self):
        user = UserFactory()

        assert _token(user) == _token(user)

    def test_a_ttl_of_zero_keeps_tokens(self, settings):
        settings.API_TOKEN_TTL = 0
        user = UserFactory()
        token = _token(user)
        Token.objects.filter(key=token).update(created=timezone.now() - timedelta(days=400))

        assert _as(f"Token {token}").get(ME).status_code == 200


class TestJWTClaims:
    def test_no_password_derived_claim(self):
        user = UserFactory()
        pair = _pair(user)

        for raw in (pair["access"], pair["refresh"]):
            claims = jwt.decode(raw, options={"verify_signature": False})
            assert set(claims) == {"token_type", "exp", "iat", "jti", "user_id", "ver"}
            assert claims["ver"] == 0
            assert "hash_password" not in claims

    def test_a_password_change_outdates_earlier_jwts(self):
        user = UserFactory()
        pair = _pair(user)
        user.set_password("another-long-passphrase-42")
        user.save()

        response = _as(f"Bearer {pair['access']}").get(ME)

        assert response.status_code == 401
        assert response.json()["code"] == "password_changed"
        new = APIClient().post(
            "/api/auth/jwt/", {"username": user.username, "password": "another-long-passphrase-42"}
        )
        assert jwt.decode(new.json()["access"], options={"verify_signature": False})["ver"] == 1
        assert _as(f"Bearer {new.json()['access']}").get(ME).status_code == 200


def _private_requests(user):
    listing_inquiry = InquiryFactory(sender=user)
    FavoriteFactory(user=user)
    token = Token.objects.create(user=user).key
    pair = _pair(user)
    signed_in = _as(f"Token {token}")
    return {
        "me": lambda: signed_in.get(ME),
        "inquiries": lambda: signed_in.get("/api/inquiries/"),
        "inquiry": lambda: signed_in.get(f"/api/inquiries/{listing_inquiry.pk}/"),
        "favorites": lambda: signed_in.get("/api/favorites/"),
        "token": lambda: APIClient().post(
            "/api/auth/token/", {"username": user.username, "password": DEFAULT_PASSWORD}
        ),
        "jwt": lambda: APIClient().post(
            "/api/auth/jwt/", {"username": user.username, "password": DEFAULT_PASSWORD}
        ),
        "jwt-refresh": lambda: APIClient().post(
            "/api/auth/jwt/refresh/", {"refresh": pair["refresh"]}
        ),
        "register": lambda: APIClient().post(
            "/api/auth/register/",
            {"username": "fresh", "email": "fresh@example.com", "password": "Tr1cky-Pass-phrase"},
        ),
        "wrong-password": lambda: APIClient().post(
            "/api/auth/token/", {"username": user.username, "password": "wrong"}
        ),
        "logout": lambda: signed_in.post(LOGOUT),
    }


@pytest.mark.parametrize(
    "name",
    [
        "me",
        "inquiries",
        "inquiry",
        "favorites",
        "token",
        "jwt",
        "jwt-refresh",
        "register",
        "wrong-password",
        "logout",
    ],
)
def test_private_responses_are_never_stored(name):
    response = _private_requests(UserFactory())[name]()

    assert response.status_code < 500
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_public_listing_reads_stay_cacheable(api_client):
    response = api_client.get("/api/properties/")

    assert "no-store" not in response.get("Cache-Control", "")
