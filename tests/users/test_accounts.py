"""Weak passwords and look-alike accounts are refused (issue 14, finding 5)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from users.factories import UserFactory
from users.models import User

pytestmark = pytest.mark.django_db

REGISTER = "/api/auth/register/"
GOOD = {"username": "newbie", "email": "newbie@example.com", "password": "Tr1cky-Pass-phrase"}


@pytest.mark.parametrize(
    "password", ["Passw0rd!", "hearth123", " " * 8, "\t" * 12, "Welcome1!", "L0ndon!!"]
)
def test_weak_passwords_are_refused_naming_the_field(api_client, password):
    response = api_client.post(REGISTER, {**GOOD, "password": password})

    assert response.status_code == 400
    assert list(response.json()) == ["password"]
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.parametrize(
    "password", ["correct-horse-battery-staple", "Hearth-Home-2026-xk", "  two spaced words  "]
)
def test_strong_passwords_are_accepted(api_client, password):
    response = api_client.post(REGISTER, {**GOOD, "password": password})

    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    ("existing", "lookalike"),
    [
        ("admin", "Admin"),  # case
        ("admin", "ADMIN"),
        ("admin", "\u0430dmin"),  # Cyrillic a
        ("admin", "\uff41\uff44\uff4d\uff49\uff4e"),  # fullwidth
        ("admin", "adrnin"),  # rn for m
        ("bill", "bi11"),  # digit 1 for l
        ("cop", "\u0441\u043e\u0440"),  # all Cyrillic, one script
        ("agent0", "agentO"),
    ],
)
def test_lookalike_usernames_are_refused_naming_the_field(api_client, existing, lookalike):
    UserFactory(username=existing, email="first@example.com")

    response = api_client.post(REGISTER, {**GOOD, "username": lookalike})

    assert response.status_code == 400
    assert list(response.json()) == ["username"]
    assert User.objects.count() == 1


def test_a_mixed_script_username_is_refused_even_when_nobody_has_the_original(api_client):
    response = api_client.post(REGISTER, {**GOOD, "username": "p\u0430ypal"})

    assert response.status_code == 400
    assert "alphabet" in response.json()["username"][0]
    assert not User.objects.exists()


@pytest.mark.parametrize("username", ["ali", "all", "\u0418\u0432\u0430\u043d", "m\u00fcller"])
def test_distinct_names_in_one_script_are_accepted(api_client, username):
    UserFactory(username="alI-not-this", email="other@example.com")

    response = api_client.post(REGISTER, {**GOOD, "username": username})

    assert response.status_code == 201, response.json()


def test_lookalike_email_domain_is_refused(api_client):
    response = api_client.post(REGISTER, {**GOOD, "email": "newbie@ex\u0430mple.com"})

    assert response.status_code == 400
    assert list(response.json()) == ["email"]
    assert not User.objects.exists()


def test_email_on_an_international_domain_is_accepted(api_client):
    response = api_client.post(REGISTER, {**GOOD, "email": "newbie@m\u00fcnchen.de"})

    assert response.status_code == 201, response.json()


def test_profile_rename_to_a_lookalike_is_refused(api_client):
    UserFactory(username="admin", email="admin@example.com")
    me = UserFactory(username="mallory")
    api_client.force_authenticate(me)

    response = api_client.patch("/api/users/me/", {"username": "\u0430dmin"})

    assert response.status_code == 400
    assert list(response.json()) == ["username"]
    me.refresh_from_db()
    assert me.username == "mallory"


def test_profile_email_on_a_lookalike_domain_is_refused(api_client):
    me = UserFactory(email="mallory@example.com")
    api_client.force_authenticate(me)

    response = api_client.patch("/api/users/me/", {"email": "mallory@ex\u0430mple.com"})

    assert response.status_code == 400
    assert list(response.json()) == ["email"]
    me.refresh_from_db()
    assert me.email == "mallory@example.com"


def test_profile_keeps_its_own_name_in_another_case(api_client):
    me = UserFactory(username="mallory")
    api_client.force_authenticate(me)

    response = api_client.patch("/api/users/me/", {"username": "Mallory"})

    assert response.status_code == 200
    me.refresh_from_db()
    assert (me.username, me.username_skeleton) == ("Mallory", "mallory")


@pytest.mark.parametrize("lookalike", ["ADMIN", "\u0430dmin"])
def test_database_refuses_lookalike_usernames_whatever_the_write_path(lookalike):
    UserFactory(username="admin", email="admin@example.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username=lookalike, email="other@example.com")


def test_model_validation_names_the_username_for_admin_forms():
    UserFactory(username="admin", email="admin@example.com")
    user = User(username="adrnin", email="other@example.com", password="x")

    with pytest.raises(ValidationError) as raised:
        user.full_clean()

    assert "username" in raised.value.message_dict


def test_admin_add_user_form_refuses_a_lookalike(client):
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    UserFactory(username="admin", email="admin@example.com")
    client.force_login(staff)

    response = client.post(
        "/admin/users/user/add/",
        {
            "username": "\u0430dmin",
            "email": "x@example.com",
            "role": "client",
            "password1": "correct-horse-battery-staple",
            "password2": "correct-horse-battery-staple",
            "usable_password": "true",
        },
    )

    assert response.status_code == 200  # the form again, with the error
    assert "look" in response.content.decode() or "alphabet" in response.content.decode()
    assert User.objects.count() == 2


@pytest.mark.parametrize("spelling", ["admin", "Admin", "ADMIN", "aDmIn"])
def test_the_lookalike_key_ignores_case(spelling):
    from users.lookalikes import skeleton

    assert skeleton(spelling) == "admin"


def test_lookalikes_from_before_the_rule_keep_working(client):
    # Given two look-alikes that existed before the rule (migration users/0002
    # gives the later one the key "admin#<id>")
    UserFactory(username="admin", email="admin@example.com")
    legacy = UserFactory(username="Admln-legacy", email="legacy@example.com")
    User.objects.filter(pk=legacy.pk).update(
        username="\u0430dmin", username_skeleton=f"admin#{legacy.pk}"
    )
    legacy.refresh_from_db()

    # When they sign in (last_login is saved) and staff edit them
    assert client.login(username="\u0430dmin", password="correct-horse-battery-staple")
    legacy.refresh_from_db()
    legacy.first_name = "Edited"
    legacy.full_clean()
    legacy.save()

    # Then their key is kept, and renaming them gives the new name's key
    legacy.refresh_from_db()
    assert (legacy.first_name, legacy.username_skeleton) == ("Edited", f"admin#{legacy.pk}")
    legacy.username = "someone-else"
    legacy.save()
    assert User.objects.get(pk=legacy.pk).username_skeleton == "someone-else"
