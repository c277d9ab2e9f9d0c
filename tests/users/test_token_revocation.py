"""Every credential issued before a password change stops working after it."""

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from users.factories import UserFactory
from users.models import User

pytestmark = pytest.mark.django_db
ME = "/api/users/me/"
NEW_PASSWORD = "another-long-passphrase-42"


def _get_me(**headers):
    return APIClient().get(ME, headers=headers)


def _change_password_with_set_password(user):
    user.set_password(NEW_PASSWORD)
    user.save()


def _change_password_in_the_admin(user):
    staff = UserFactory(username="admin-staff", is_staff=True, is_superuser=True)
    client = APIClient()
    client.force_login(staff)
    response = client.post(
        f"/admin/users/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
        format="multipart",
    )
    assert response.status_code == 302, response.content


PATHS = [_change_password_with_set_password, _change_password_in_the_admin]


@pytest.mark.parametrize("change_password", PATHS)
def test_api_token_is_revoked(change_password):
    # Given a user with a working API token
    user = UserFactory()
    token = Token.objects.create(user=user)
    assert _get_me(Authorization=f"Token {token.key}").status_code == 200

    # When their password changes
    change_password(user)

    # Then the old token is refused and gone
    assert _get_me(Authorization=f"Token {token.key}").status_code == 401
    assert not Token.objects.filter(user=user).exists()


@pytest.mark.parametrize("change_password", PATHS)
def test_jwt_access_and_refresh_are_revoked(change_password):
    user = UserFactory()
    refresh = RefreshToken.for_user(user)
    access = str(refresh.access_token)
    assert _get_me(Authorization=f"Bearer {access}").status_code == 200

    change_password(user)

    response = _get_me(Authorization=f"Bearer {access}")
    assert response.status_code == 401
    assert response.json()["code"] == "password_changed"
    refreshed = APIClient().post("/api/auth/jwt/refresh/", {"refresh": str(refresh)})
    assert refreshed.status_code == 401
    assert "access" not in refreshed.json()


def test_saving_a_user_without_a_password_change_keeps_the_token():
    user = UserFactory()
    token = Token.objects.create(user=user)

    user.first_name = "Renamed"
    user.save()

    assert Token.objects.filter(key=token.key).exists()
    assert _get_me(Authorization=f"Token {token.key}").status_code == 200


def test_new_credentials_after_the_change_work():
    user = UserFactory()
    _change_password_with_set_password(user)

    token = APIClient().post(
        "/api/auth/token/", {"username": user.username, "password": NEW_PASSWORD}
    )
    pair = APIClient().post("/api/auth/jwt/", {"username": user.username, "password": NEW_PASSWORD})

    assert _get_me(Authorization=f"Token {token.json()['token']}").status_code == 200
    assert _get_me(Authorization=f"Bearer {pair.json()['access']}").status_code == 200
    refreshed = APIClient().post("/api/auth/jwt/refresh/", {"refresh": pair.json()["refresh"]})
    assert refreshed.status_code == 200


def test_changepassword_command_path_is_covered(monkeypatch):
    user = UserFactory()
    token = Token.objects.create(user=user)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)

    call_command("changepassword", user.username)

    assert not Token.objects.filter(key=token.key).exists()


def test_users_loaded_without_their_password_cost_no_extra_query(django_assert_num_queries):
    UserFactory.create_batch(3)

    with django_assert_num_queries(1):
        names = [user.username for user in User.objects.only("id", "username")]

    assert len(names) == 3


def test_password_set_on_a_user_loaded_without_it_still_revokes():
    user = UserFactory()
    token = Token.objects.create(user=user)
    deferred = User.objects.only("id", "username").get(pk=user.pk)

    deferred.set_password(NEW_PASSWORD)
    deferred.save()

    assert not Token.objects.filter(key=token.key).exists()
