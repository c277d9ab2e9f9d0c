import pytest

from users.factories import AgentFactory, StaffFactory, UserFactory
from users.models import User

pytestmark = pytest.mark.django_db


class TestMe:
    def test_anonymous_is_401(self, api_client):
        response = api_client.get("/api/users/me/")

        assert response.status_code == 401
        assert "detail" in response.json()

    def test_shows_own_profile(self, client_api, user):
        body = client_api.get("/api/users/me/").json()

        assert body["id"] == user.id
        assert body["email"] == user.email
        assert body["role"] == "client"

    def test_patch_updates_profile_fields(self, client_api, user):
        response = client_api.patch(
            "/api/users/me/", {"phone": "555-0100", "bio": "Looking in Austin", "first_name": "Al"}
        )

        assert response.status_code == 200
        user.refresh_from_db()
        assert (user.phone, user.bio, user.first_name) == ("555-0100", "Looking in Austin", "Al")

    def test_role_and_is_staff_cannot_be_raised(self, client_api, user):
        response = client_api.patch("/api/users/me/", {"role": "agent", "is_staff": True})

        assert response.status_code == 200
        assert response.json()["role"] == "client"
        user.refresh_from_db()
        assert (user.role, user.is_staff) == ("client", False)

    def test_email_taken_in_another_case_is_400(self, client_api, user):
        UserFactory(email="taken@example.com")

        response = client_api.patch("/api/users/me/", {"email": "TAKEN@example.com"})

        assert response.status_code == 400
        assert list(response.json()) == ["email"]
        user.refresh_from_db()
        assert user.email != "TAKEN@example.com"

    def test_keeping_own_email_in_another_case_is_allowed(self, client_api, user):
        response = client_api.patch("/api/users/me/", {"email": user.email.upper()})

        assert response.status_code == 200

    @pytest.mark.parametrize("value", [400, 4.5, True, ["Al"], {"a": 1}])
    def test_text_fields_take_only_text(self, client_api, user, value):
        response = client_api.patch("/api/users/me/", {"first_name": value}, format="json")

        assert response.status_code == 400
        assert list(response.json()) == ["first_name"]
        user.refresh_from_db()
        assert user.first_name != str(value)

    def test_max_length_counts_the_text_as_sent(self, client_api):
        response = client_api.patch("/api/users/me/", {"phone": "\v" + "5" * 32})

        assert response.status_code == 400
        assert list(response.json()) == ["phone"]

    def test_put_is_not_allowed(self, client_api):
        assert client_api.put("/api/users/me/", {}).status_code == 405


class TestProfileVisibility:
    def test_agent_profile_is_public(self, api_client):
        agent = AgentFactory(phone="555-0199")

        response = api_client.get(f"/api/users/{agent.id}/")

        assert response.status_code == 200
        body = response.json()
        assert body["id"] == agent.id
        assert body["phone"] == "555-0199"
        assert "is_staff" not in body

    def test_client_profile_is_404_to_others(self, client_api):
        other = UserFactory()

        response = client_api.get(f"/api/users/{other.id}/")

        assert response.status_code == 404
        assert "detail" in response.json()

    def test_client_profile_is_404_to_anonymous(self, api_client, user):
        assert api_client.get(f"/api/users/{user.id}/").status_code == 404

    def test_staff_sees_any_user(self, staff_api):
        other = UserFactory()

        response = staff_api.get(f"/api/users/{other.id}/")

        assert response.status_code == 200
        assert response.json()["is_staff"] is False

    def test_out_of_range_id_is_404(self, api_client):
        response = api_client.get("/api/users/99999999999999999999/")

        assert response.status_code == 404


class TestUserList:
    def test_anonymous_is_401(self, api_client):
        assert api_client.get("/api/users/").status_code == 401

    def test_client_and_agent_are_403(self, api_client):
        for who in (UserFactory(), AgentFactory()):
            api_client.force_authenticate(who)
            assert api_client.get("/api/users/").status_code == 403

    def test_staff_filters_by_role(self, staff_api, staff):
        agents = AgentFactory.create_batch(2)
        UserFactory.create_batch(2)

        response = staff_api.get("/api/users/", {"role": "agent"})

        assert response.status_code == 200
        assert sorted(u["id"] for u in response.json()["results"]) == sorted(a.id for a in agents)

    def test_staff_searches(self, staff_api):
        wanted = UserFactory(last_name="Zebedee")
        UserFactory(last_name="Smith")

        response = staff_api.get("/api/users/", {"search": "zebe"})

        assert [u["id"] for u in response.json()["results"]] == [wanted.id]

    @pytest.mark.parametrize("term", ["a\x00b", "x" * 201])
    def test_unusable_search_is_400_naming_the_parameter(self, staff_api, term):
        response = staff_api.get("/api/users/", {"search": term})

        assert response.status_code == 400
        assert list(response.json()) == ["search"]

    def test_unknown_role_is_400_naming_the_parameter(self, staff_api):
        response = staff_api.get("/api/users/", {"role": "wizard"})

        assert response.status_code == 400
        assert list(response.json()) == ["role"]

    def test_list_runs_a_fixed_number_of_queries(self, staff_api, django_assert_max_num_queries):
        UserFactory.create_batch(30)
        with django_assert_max_num_queries(3):
            response = staff_api.get("/api/users/", {"page_size": 100})
        assert response.json()["count"] == User.objects.count()


class TestUsersAdmin:
    def test_changelist_filters_by_role_and_searches(self, client):
        admin = StaffFactory(is_superuser=True)
        AgentFactory(username="agent-smith")
        client.force_login(admin)

        response = client.get("/admin/users/user/", {"role__exact": "agent", "q": "smith"})

        assert response.status_code == 200
        assert b"agent-smith" in response.content

    def test_staff_changes_a_role(self, client):
        admin = StaffFactory(is_superuser=True)
        target = UserFactory()
        client.force_login(admin)
        data = {
            "username": target.username,
            "email": target.email,
            "role": "agent",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        }

        response = client.post(f"/admin/users/user/{target.id}/change/", data)

        assert response.status_code == 302, response.context["adminform"].form.errors
        target.refresh_from_db()
        assert target.role == "agent"
