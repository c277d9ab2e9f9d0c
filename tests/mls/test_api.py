"""/api/mls-sources/ and /api/sync-runs/ in SPEC §7's shapes, staff only."""

import pytest

from jobs import services as job_services
from mls.factories import MlsSourceFactory, SyncRunFactory
from mls.models import MlsSource, SyncRun

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_refused(settings):
    settings.MLS_SYNC_ALLOW_PRIVATE = False


@pytest.fixture
def enqueued(monkeypatch):
    sent = []
    monkeypatch.setattr(job_services, "_send", lambda task, kwargs: sent.append((task, kwargs)))
    monkeypatch.setattr(
        job_services,
        "runner_get",
        lambda: type("R", (), {"submit": lambda s, t, k: sent.append((t, k))})(),
    )
    return sent


def test_a_source_is_shown_without_its_secret(staff_api):
    source = MlsSourceFactory(
        name="Front Range", token_url="https://mls.example.com/token", client_id="hearth",
        client_secret="s3cret",
    )  # fmt: skip
    run = SyncRunFactory(source=source, created=2, errors=[{"key": "9", "message": "bad"}])

    response = staff_api.get(f"/api/mls-sources/{source.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": source.pk,
        "name": "Front Range",
        "url": source.url,
        "token_url": "https://mls.example.com/token",
        "client_id": "hearth",
        "page_size": 100,
        "schedule_minutes": None,
        "enabled": True,
        "high_water_mark": None,
        "last_run": {
            "id": run.pk,
            "url": f"http://testserver/api/sync-runs/{run.pk}/",
            "source": source.pk,
            "trigger": "api",
            "status": "succeeded",
            "started_at": None,
            "finished_at": None,
            "counts": {"created": 2, "updated": 0, "unchanged": 0, "deleted": 0, "failed": 0},
            "errors": [{"key": "9", "message": "bad"}],
        },
    }
    assert "s3cret" not in response.content.decode()


def test_staff_create_a_source_and_the_secret_is_stored_not_echoed(staff_api):
    response = staff_api.post(
        "/api/mls-sources/",
        {"name": "A", "url": "https://93.184.215.14/reso/odata/", "token_url":
         "https://93.184.215.14/token", "client_id": "c", "client_secret": "hidden",
         "schedule_minutes": 15},
        format="json",
    )  # fmt: skip

    assert response.status_code == 201, response.json()
    assert "client_secret" not in response.json()
    assert MlsSource.objects.get().client_secret == "hidden"


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/odata/", "http://10.1.2.3/odata/", "http://169.254.169.254/"]
)
def test_a_private_url_is_refused_naming_the_field(staff_api, url):
    response = staff_api.post("/api/mls-sources/", {"name": "A", "url": url}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["url"]
    assert "MLS_SYNC_ALLOW_PRIVATE=true" in response.json()["url"][0]
    assert not MlsSource.objects.exists()


def test_a_private_url_is_accepted_when_the_setting_allows_it(staff_api, settings):
    settings.MLS_SYNC_ALLOW_PRIVATE = True
    response = staff_api.post(
        "/api/mls-sources/", {"name": "A", "url": "http://127.0.0.1:8701/odata/"}, format="json"
    )
    assert response.status_code == 201


def test_a_token_url_needs_a_client_id(staff_api):
    response = staff_api.post(
        "/api/mls-sources/",
        {"name": "A", "url": "https://93.184.215.14/o/", "token_url": "https://93.184.215.14/t"},
        format="json",
    )
    assert (response.status_code, list(response.json())) == (400, ["client_id"])


@pytest.mark.parametrize("path", ["/api/mls-sources/", "/api/sync-runs/"])
def test_anonymous_callers_are_refused(api_client, path):
    assert api_client.get(path).status_code == 401


@pytest.mark.parametrize("path", ["/api/mls-sources/", "/api/sync-runs/"])
def test_clients_are_refused(client_api, path):
    assert client_api.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/api/mls-sources/", "/api/sync-runs/"])
def test_agents_are_refused(agent_api, path):
    assert agent_api.get(path).status_code == 403


def test_sync_answers_202_with_the_queued_run_and_queues_its_job(
    staff_api, enqueued, django_capture_on_commit_callbacks
):
    source = MlsSourceFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.post(f"/api/mls-sources/{source.pk}/sync/")

    run = SyncRun.objects.get()
    assert response.status_code == 202
    assert response.json()["url"] == f"http://testserver/api/sync-runs/{run.pk}/"
    assert response["Location"] == response.json()["url"]
    assert (response.json()["status"], response.json()["trigger"]) == ("queued", "api")
    assert enqueued == [("mls.tasks.sync_run_execute", {"run_id": run.pk})]


def test_sync_of_a_source_with_an_active_run_returns_that_run(staff_api, enqueued):
    running = SyncRunFactory(status=SyncRun.Status.RUNNING)

    response = staff_api.post(f"/api/mls-sources/{running.source_id}/sync/")

    assert (response.status_code, response.json()["id"]) == (202, running.pk)
    assert SyncRun.objects.count() == 1 and enqueued == []


def test_the_sync_endpoint_is_staff_only(client_api, enqueued):
    source = MlsSourceFactory()
    assert client_api.post(f"/api/mls-sources/{source.pk}/sync/").status_code == 403
    assert not SyncRun.objects.exists()


def test_runs_list_newest_first_in_a_fixed_number_of_queries(
    staff_api, django_assert_max_num_queries
):
    runs = [SyncRunFactory() for _ in range(4)]

    with django_assert_max_num_queries(4):
        response = staff_api.get("/api/sync-runs/")

    assert [r["id"] for r in response.json()["results"]] == [r.pk for r in reversed(runs)]


def test_sources_list_in_a_fixed_number_of_queries(staff_api, django_assert_max_num_queries):
    for source in MlsSourceFactory.create_batch(3):
        SyncRunFactory.create_batch(2, source=source)

    with django_assert_max_num_queries(5):
        response = staff_api.get("/api/mls-sources/")

    assert len(response.json()["results"]) == 3
