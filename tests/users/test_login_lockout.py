"""Every password login is limited per account and per address (issue 14, finding 1).

django-axes counts failures inside ``authenticate()``; these tests hold each
login path to it: the token and JWT endpoints answer 429 with Retry-After,
the HTML forms (admin, browsable API) a 429 lockout page, and staff unlock.
"""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from users.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 3
API_LOGINS = {"/api/auth/token/": 400, "/api/auth/jwt/": 401}
HTML_LOGINS = ["/admin/login/", "/api-auth/login/"]


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT


def _api(address="203.0.113.7", **headers):
    return APIClient(REMOTE_ADDR=address, headers=headers)


def _fail(client, url, username):
    return client.post(url, {"username": username, "password": "wrong-password"})


@pytest.mark.parametrize(("url", "wrong_status"), API_LOGINS.items())
def test_api_login_locks_the_account_after_the_limit_even_with_the_right_password(
    url, wrong_status
):
    user = UserFactory(is_staff=True)
    client = _api()
    statuses = [_fail(client, url, user.username).status_code for _ in range(LIMIT)]
    # the failure that reaches the limit is already answered as a lockout
    assert statuses == [wrong_status] * (LIMIT - 1) + [429]

    response = client.post(url, {"username": user.username, "password": DEFAULT_PASSWORD})

    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    assert "Too many failed sign-in attempts" in response.json()["detail"]
    assert "token" not in response.json() and "access" not in response.json()
    assert not Token.objects.filter(user=user).exists()


@pytest.mark.parametrize("url", API_LOGINS)
def test_the_account_stays_locked_from_another_address(url):
    user = UserFactory()
    for n in range(LIMIT):
        _fail(_api(f"198.51.100.{n}"), url, user.username)

    response = _api("192.0.2.99").post(
        url, {"username": user.username, "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 429


@pytest.mark.parametrize("url", API_LOGINS)
def test_an_address_guessing_many_accounts_is_locked_out_but_others_are_not(url):
    victims = UserFactory.create_batch(LIMIT)
    bystander = UserFactory()
    for victim in victims:
        _fail(_api("203.0.113.50"), url, victim.username)

    locked = _api("203.0.113.50").post(
        url, {"username": bystander.username, "password": DEFAULT_PASSWORD}
    )
    elsewhere = _api("203.0.113.51").post(
        url, {"username": bystander.username, "password": DEFAULT_PASSWORD}
    )

    assert locked.status_code == 429
    assert elsewhere.status_code == 200


def test_a_forged_forwarded_for_header_does_not_make_a_new_address():
    user = UserFactory()
    for n in range(LIMIT):
        _fail(_api(X_Forwarded_For=f"10.0.0.{n}"), "/api/auth/token/", f"someone{n}")

    response = _api(X_Forwarded_For="10.9.9.9").post(
        "/api/auth/token/", {"username": user.username, "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    user = UserFactory()
    for n in range(LIMIT):
        _fail(_api(X_Forwarded_For="192.0.2.1"), "/api/auth/token/", f"someone{n}")

    other_client = _api(X_Forwarded_For="192.0.2.2").post(
        "/api/auth/token/", {"username": user.username, "password": DEFAULT_PASSWORD}
    )

    assert other_client.status_code == 200
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.1"}


def test_lookalike_spellings_spend_the_same_accounts_attempts():
    user = UserFactory(username="admin")
    for n, spelling in enumerate(["Admin", "ADMIN", "\u0430dmin"]):
        _fail(_api(f"198.51.100.{n}"), "/api/auth/jwt/", spelling)

    response = _api("192.0.2.7").post(
        "/api/auth/jwt/", {"username": user.username, "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 429


def test_a_success_before_the_limit_clears_the_count():
    user = UserFactory()
    client = _api()
    for _ in range(LIMIT - 1):
        _fail(client, "/api/auth/token/", user.username)
    ok = client.post("/api/auth/token/", {"username": user.username, "password": DEFAULT_PASSWORD})
    assert ok.status_code == 200

    for _ in range(LIMIT - 1):
        _fail(client, "/api/auth/token/", user.username)
    again = client.post(
        "/api/auth/token/", {"username": user.username, "password": DEFAULT_PASSWORD}
    )

    assert again.status_code == 200


@pytest.mark.parametrize("url", HTML_LOGINS)
def test_html_login_forms_show_a_lockout_page_and_sign_nobody_in(url):
    user = UserFactory(is_staff=True)
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [_fail(client, url, user.username).status_code for _ in range(LIMIT)]
    assert statuses == [200] * (LIMIT - 1) + [429]  # the form again with its error, then locked

    response = client.post(url, {"username": user.username, "password": DEFAULT_PASSWORD})

    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/api/users/me/").status_code in {401, 403}


@pytest.mark.parametrize("url", HTML_LOGINS)
def test_html_login_forms_accept_the_right_password_below_the_limit(url):
    user = UserFactory(is_staff=True)
    client = Client()
    _fail(client, url, user.username)

    response = client.post(url, {"username": user.username, "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_staff_unlock_an_account_in_the_admin():
    user = UserFactory()
    for n in range(LIMIT):
        _fail(_api(f"198.51.100.{n}"), "/api/auth/token/", user.username)
    assert (
        _api("192.0.2.5")
        .post("/api/auth/token/", {"username": user.username, "password": DEFAULT_PASSWORD})
        .status_code
        == 429
    )
    # (three failures from three addresses, and the refused attempt: four records)
    staff = StaffFactory(is_superuser=True)
    admin = Client()
    admin.force_login(staff)

    response = admin.post(
        "/admin/users/user/",
        {"action": "unlock_sign_in", "_selected_action": [user.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "Unlocked 1 account(s); 4 failed-login record(s) removed." in response.content.decode()
    assert not AccessAttempt.objects.filter(username=user.username).exists()
    after = _api("192.0.2.5").post(
        "/api/auth/token/", {"username": user.username, "password": DEFAULT_PASSWORD}
    )
    assert after.status_code == 200


def test_staff_see_and_delete_lockouts_in_the_admin():
    for n in range(LIMIT):
        _fail(_api(), "/api/auth/token/", f"someone{n}")
    staff = StaffFactory(is_superuser=True)
    admin = Client()
    admin.force_login(staff)

    listing = admin.get("/admin/axes/accessattempt/")

    assert listing.status_code == 200
    assert "203.0.113.7" in listing.content.decode()


def test_the_lockout_ends_after_the_cool_off(settings):
    from datetime import timedelta

    from django.utils import timezone

    user = UserFactory()
    for _ in range(LIMIT):
        _fail(_api(), "/api/auth/token/", user.username)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    response = _api().post(
        "/api/auth/token/", {"username": user.username, "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 200


def test_logins_without_a_request_are_not_counted_and_still_work(client):
    # The test client's login(), a shell or a command: nothing a network client can reach.
    user = UserFactory()

    assert client.login(username=user.username, password=DEFAULT_PASSWORD)
    assert not client.login(username=user.username, password="wrong-password")
    assert not AccessAttempt.objects.exists()
