import pytest

from mls.factories import MlsSourceFactory, SyncRunFactory
from mls.models import MlsSource, SyncRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    return client


def test_change_page_never_renders_the_secret_and_shows_the_run_history(admin_client):
    source = MlsSourceFactory(client_secret="s3cret-value")
    SyncRunFactory(source=source, status="failed", message="mls answered HTTP 503")

    page = admin_client.get(f"/admin/mls/mlssource/{source.pk}/change/").content.decode()

    assert "s3cret-value" not in page
    assert "mls answered HTTP 503" in page


def test_list_shows_health_and_last_error(admin_client):
    source = MlsSourceFactory()
    SyncRunFactory(source=source, status="failed", message="timed out")

    page = admin_client.get("/admin/mls/mlssource/").content.decode()

    assert "timed out" in page and "failed" in page


def test_saving_without_a_secret_keeps_the_stored_one(admin_client):
    source = MlsSourceFactory(client_secret="keep-me", url="https://93.184.215.14/o/")
    data = {
        "name": source.name, "url": source.url, "token_url": "", "client_id": "",
        "client_secret": "", "page_size": 100, "schedule_minutes": "", "enabled": "on",
        "runs-TOTAL_FORMS": 0, "runs-INITIAL_FORMS": 0,
    }  # fmt: skip

    response = admin_client.post(f"/admin/mls/mlssource/{source.pk}/change/", data)

    assert response.status_code == 302
    assert MlsSource.objects.get().client_secret == "keep-me"


def test_sync_now_queues_a_run(admin_client, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr("mls.services.job_enqueue", lambda task, kwargs: True)
    source = MlsSourceFactory()

    admin_client.post(
        "/admin/mls/mlssource/", {"action": "sync_now", "_selected_action": [source.pk]}
    )

    run = SyncRun.objects.get()
    assert (run.source, run.trigger, run.status) == (source, "admin", "queued")
