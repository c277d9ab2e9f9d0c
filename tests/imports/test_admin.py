"""Admin imports' pages: upload, the run page, its progress answer, permissions."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from imports import services
from imports.factories import ImportRunFactory
from imports.models import ImportRun
from tests.imports.feeds import mixed_feed
from users.factories import StaffFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/imports/importrun/add/"


@pytest.fixture
def admin_client(client):
    client.force_login(
        StaffFactory(username="ops", first_name="Olive", last_name="Ops", is_superuser=True)
    )
    return client


@pytest.fixture
def enqueued(monkeypatch):
    sent = []
    monkeypatch.setattr(
        services, "job_enqueue", lambda *, task, kwargs: sent.append(kwargs["run_id"]) or True
    )
    return sent


def upload(client, content, name="feed.csv"):
    return client.post(ADD_URL, {"file": SimpleUploadedFile(name, content)})


class TestUpload:
    def test_the_form_says_what_it_takes(self, admin_client):
        response = admin_client.get(ADD_URL)

        assert response.status_code == 200
        html = response.content.decode()
        assert 'enctype="multipart/form-data"' in html
        assert 'accept=".csv,.json"' in html
        assert "Files up to 10.0\xa0MB" in html

    def test_an_upload_is_stored_queued_and_its_page_opened(self, admin_client, enqueued):
        response = upload(admin_client, mixed_feed(), name="may.csv")

        run = ImportRun.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/admin/imports/importrun/{run.pk}/change/"
        assert (run.file_name, run.status, run.uploaded_by.username) == ("may.csv", "queued", "ops")
        assert enqueued == [run.pk]

    @pytest.mark.parametrize(
        ("content", "name", "message"),
        [
            (b"ListingId\nA1\n", "feed.xlsx", "File extension \u201cxlsx\u201d is not allowed."),
            (b"", "empty.csv", "The submitted file is empty."),
            (b"ListingId,City\nA1,Ca\xf1on\n", "latin1.csv", "The feed is not UTF-8 text"),
            (b'[{"ListingId": ', "cut.json", "The JSON is malformed at line 1, column 16"),
            (b"City\nAustin\n", "nokey.csv", "The CSV header has no ListingId column"),
        ],
    )
    def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_stored(
        self, admin_client, enqueued, content, name, message
    ):
        response = upload(admin_client, content, name)

        assert response.status_code == 200
        assert message in response.content.decode()
        assert ImportRun.objects.count() == 0
        assert enqueued == []

    def test_a_file_over_the_limit_is_refused(self, admin_client, enqueued, settings):
        settings.IMPORT_UPLOAD_MAX_BYTES = 100

        response = upload(admin_client, b"ListingId\n" + b"A1\n" * 2000)

        assert (
            "The file is 5.9\xa0KB; uploads are limited to 100\xa0bytes. Import larger feeds "
            "with manage.py import_listings." in response.content.decode()
        )
        assert ImportRun.objects.count() == 0

    def test_no_file_is_a_form_error(self, admin_client, enqueued):
        response = admin_client.post(ADD_URL, {})

        assert "This field is required." in response.content.decode()
        assert ImportRun.objects.count() == 0

    def test_staff_who_may_not_write_listings_may_not_import(self, client, enqueued):
        clerk = StaffFactory()
        clerk.user_permissions.add(
            *Permission.objects.filter(codename__in=["add_importrun", "view_importrun"])
        )
        client.force_login(clerk)

        assert client.get(ADD_URL).status_code == 403
        assert upload(client, mixed_feed()).status_code == 403
        assert ImportRun.objects.count() == 0


class TestRunPage:
    def test_a_finished_run_shows_the_summary_and_every_row_error(self, admin_client):
        run = ImportRunFactory(
            file_name="may.csv",
            status="succeeded",
            progress=1.0,
            created=2,
            failed=2,
            summary="created 2, updated 0, unchanged 0, failed 2; ignored columns: Foo",
            errors=[
                {"row": 3, "listing_id": "NO-CITY", "reason": "City: This field may not be blank."},
                {
                    "row": 4,
                    "listing_id": "CHEAP",
                    "reason": "ListPrice: A valid number is required.",
                },
            ],
        )

        html = admin_client.get(f"/admin/imports/importrun/{run.pk}/change/").content.decode()

        assert "created 2, updated 0, unchanged 0, failed 2; ignored columns: Foo" in html
        assert "<td>NO-CITY</td><td>City: This field may not be blank.</td>" in html
        assert '<td class="hearth-num">4</td><td>CHEAP</td>' in html
        assert "data-progress-url" not in html  # nothing left to follow

    def test_a_failed_run_says_why(self, admin_client):
        run = ImportRunFactory(status="failed", message="Writing to the database failed: x.")

        html = admin_client.get(f"/admin/imports/importrun/{run.pk}/change/").content.decode()

        assert 'id="import-message">Writing to the database failed: x.<' in html

    def test_errors_beyond_those_kept_are_counted(self, admin_client):
        run = ImportRunFactory(failed=1500, errors=[{"row": 2, "listing_id": "A", "reason": "r"}])

        html = admin_client.get(f"/admin/imports/importrun/{run.pk}/change/").content.decode()

        assert "… and 1499 more rows" in html

    def test_a_running_run_is_followed_by_the_script(self, admin_client):
        run = ImportRunFactory(status="running", progress=0.25, created=10)

        html = admin_client.get(f"/admin/imports/importrun/{run.pk}/change/").content.decode()

        assert f'data-progress-url="/admin/imports/importrun/{run.pk}/progress/"' in html
        assert "hearth/admin/imports.js" in html
        assert 'id="import-percent">25%<' in html

    def test_progress_answers_status_share_and_counts(self, admin_client):
        run = ImportRunFactory(status="running", progress=0.256789, created=10, failed=1)

        response = admin_client.get(f"/admin/imports/importrun/{run.pk}/progress/")

        assert response.json() == {
            "status": "running",
            "status_label": "Running",
            "active": True,
            "progress": 0.2568,
            "counts": "created 10, updated 0, unchanged 0, failed 1",
        }
        assert "no-store" in response["Cache-Control"]

    def test_an_unknown_run_is_404(self, admin_client):
        assert admin_client.get("/admin/imports/importrun/999/change/").status_code == 404
        assert admin_client.get("/admin/imports/importrun/999/progress/").status_code == 404

    def test_progress_is_for_staff_only(self, client):
        run = ImportRunFactory()

        response = client.get(f"/admin/imports/importrun/{run.pk}/progress/")

        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


class TestChangelist:
    def test_runs_are_listed_in_a_fixed_number_of_queries(
        self, admin_client, django_assert_max_num_queries
    ):
        ImportRunFactory.create_batch(2)
        with django_assert_max_num_queries(8) as small:
            admin_client.get("/admin/imports/importrun/")
        ImportRunFactory.create_batch(20, status="failed")
        with django_assert_max_num_queries(len(small.captured_queries)):
            response = admin_client.get("/admin/imports/importrun/")

        html = response.content.decode()
        assert html.count('class="hearth-health hearth-bad"') == 20
        assert "Add listing import" in html
