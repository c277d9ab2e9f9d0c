from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.tokens import AccessToken

from users.factories import DEFAULT_PASSWORD, UserFactory

User = get_user_model()
pytestmark = pytest.mark.django_db

REGISTER = "/api/auth/register/"
GOOD = {"username": "newbie", "email": "newbie@example.com", "password": "Tr1cky-Pass-phrase"}


class TestRegister:
    def test_creates_a_client_and_answers_with_the_profile(self, api_client):
        response = api_client.post(REGISTER, {**GOOD, "first_name": "Nia"})

        assert response.status_code == 201
        body = response.json()
        assert body["username"] == "newbie"
        assert body["role"] == "client"
        assert body["is_staff"] is False
        assert "password" not in body
        created = User.objects.get(username="newbie")
        assert created.check_password(GOOD["password"])
        assert created.first_name == "Nia"

    def test_role_and_staff_flags_in_the_body_are_ignored(self, api_client):
        response = api_client.post(REGISTER, {**GOOD, "role": "agent", "is_staff": True})

        assert response.status_code == 201
        created = User.objects.get(username="newbie")
        assert (created.role, created.is_staff, created.is_superuser) == ("client", False, False)

    def test_duplicate_username_names_the_field(self, api_client):
        UserFactory(username="newbie", email="someone-else@example.com")

        response = api_client.post(REGISTER, GOOD)

        assert response.status_code == 400
        assert list(response.json()) == ["username"]
        assert User.objects.filter(username="newbie").count() == 1

    def test_duplicate_email_in_another_case_names_the_field(self, api_client):
        UserFactory(email="NewBie@Example.com")

        response = api_client.post(REGISTER, GOOD)

        assert response.status_code == 400
        assert list(response.json()) == ["email"]
        assert not User.objects.filter(username="newbie").exists()

    @pytest.mark.parametrize("password", ["password", "12345678", "short1!", "newbie123"])
    def test_weak_password_names_the_password_field(self, api_client, password):
        response = api_client.post(REGISTER, {**GOOD, "password": password})

        assert response.status_code == 400
        assert list(response.json()) == ["password"]
        assert not User.objects.filter(username="newbie").exists()

    @pytest.mark.parametrize("missing", ["username", "email", "password"])
    def test_missing_required_field_is_named(self, api_client, missing):
        body = {k: v for k, v in GOOD.items() if k != missing}

        response = api_client.post(REGISTER, body)

        assert response.status_code == 400
        assert missing in response.json()

    def test_database_refuses_case_insensitive_duplicate_email(self):
        from django.db import IntegrityError, transaction

        UserFactory(email="same@example.com")
        with pytest.raises(IntegrityError), transaction.atomic():
            User.objects.create(username="other", email="SAME@example.com")


class TestToken:
    def test_right_password_gets_a_working_token(self, api_client, user):
        response = api_client.post(
            "/api/auth/token/", {"username": user.username, "password": DEFAULT_PASSWORD}
        )

        assert response.status_code == 200
        token = response.json()["token"]
        assert token == Token.objects.get(user=user).key
        me = APIClient().get("/api/users/me/", HTTP_AUTHORIZATION=f"Token {token}")
        assert me.status_code == 200
        assert me.json()["id"] == user.id

    def test_wrong_password_is_400_without_a_token(self, api_client, user):
        response = api_client.post(
            "/api/auth/token/", {"username": user.username, "password": "wrong"}
        )

        assert response.status_code == 400
        assert "token" not in response.json()
        assert not Token.objects.filter(user=user).exists()

    def test_invalid_token_is_401(self, api_client):
        response = api_client.get("/api/users/me/", HTTP_AUTHORIZATION="Token nope")

        assert response.status_code == 401
        assert "detail" in response.json()


class TestJWT:
    def test_pair_then_refresh_then_use(self, api_client, user):
        pair = api_client.post(
            "/api/auth/jwt/", {"username": user.username, "password": DEFAULT_PASSWORD}
        )
        assert pair.status_code == 200
        assert set(pair.json()) == {"access", "refresh"}

        refreshed = api_client.post("/api/auth/jwt/refresh/", {"refresh": pair.json()["refresh"]})
        assert refreshed.status_code == 200
        access = refreshed.json()["access"]

        me = APIClient().get("/api/users/me/", HTTP_AUTHORIZATION=f"Bearer {access}")
        assert me.status_code == 200
        assert me.json()["username"] == user.username

    def test_wrong_password_is_401(self, api_client, user):
        response = api_client.post("/api/auth/jwt/", {"username": user.username, "password": "x"})

        assert response.status_code == 401
        assert "access" not in response.json()

    def test_expired_access_token_is_401(self, api_client, user):
        token = AccessToken.for_user(user)
        token.set_exp(lifetime=-timedelta(seconds=1))

        response = api_client.get("/api/users/me/", HTTP_AUTHORIZATION=f"Bearer {token}")

        assert response.status_code == 401
        assert response.json()["code"] == "token_not_valid"

    def test_garbage_refresh_token_is_401(self, api_client):
        response = api_client.post("/api/auth/jwt/refresh/", {"refresh": "not-a-jwt"})

        assert response.status_code == 401


class TestSessionLogin:
    def test_browsable_api_login_page_renders(self, client):
        response = client.get("/api-auth/login/")

        assert response.status_code == 200
        assert b"password" in response.content


class TestThrottling:
    @pytest.fixture
    def auth_rate(self, monkeypatch):
        # DRF binds the rates dict at import; patching it is how a test changes a rate.
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "auth", "2/min")

    @pytest.mark.parametrize("url", ["/api/auth/token/", "/api/auth/jwt/", REGISTER])
    def test_auth_endpoints_answer_429_with_retry_after(self, api_client, auth_rate, url):
        for _ in range(2):
            assert api_client.post(url, {"username": "x", "password": "y"}).status_code != 429

        response = api_client.post(url, {"username": "x", "password": "y"})

        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
        assert "detail" in response.json()

    def test_forged_forwarded_for_does_not_dodge_the_limit(self, api_client, auth_rate):
        for n in range(2):
            api_client.post(
                "/api/auth/token/", {"username": "x"}, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
            )

        response = api_client.post(
            "/api/auth/token/", {"username": "x"}, HTTP_X_FORWARDED_FOR="10.9.9.9"
        )

        assert response.status_code == 429

    def test_anonymous_reads_are_throttled(self, api_client, monkeypatch):
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "1/min")
        assert api_client.get("/api/").status_code == 200

        assert api_client.get("/api/").status_code == 429

    def test_signed_in_users_get_the_user_rate_counted_per_user(self, api_client, monkeypatch):
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "1/min")
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "2/min")
        first, second = UserFactory(), UserFactory()
        api_client.force_authenticate(first)
        assert [api_client.get("/api/").status_code for _ in range(3)] == [200, 200, 429]

        # Another user from the same address has a limit of their own
        api_client.force_authenticate(second)
        assert api_client.get("/api/").status_code == 200
        # and anonymous callers from it still get the anonymous rate
        api_client.force_authenticate(None)
        assert [api_client.get("/api/").status_code for _ in range(2)] == [200, 429]
