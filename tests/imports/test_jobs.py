"""An admin import runs as a background job: here on the embedded runner (no broker)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.models import ImportRun
from jobs.runner import runner_reset
from properties.factories import PropertyFactory
from properties.models import ListingChange, Property
from tests.imports.feeds import mixed_feed
from users.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


def wait_finished(run_id) -> ImportRun:
    # Stopping the runner waits for its jobs; polling the run while the job writes
    # it would meet the in-memory test database's table locks.
    runner_reset()
    return ImportRun.objects.get(pk=run_id)


def test_an_upload_is_imported_by_the_embedded_runner(client, embedded):
    PropertyFactory(mls_number="GOOD-1", price="400000.00")
    client.force_login(
        StaffFactory(username="ops", first_name="Olive", last_name="Ops", is_superuser=True)
    )

    response = client.post(
        "/admin/imports/importrun/add/", {"file": SimpleUploadedFile("may.csv", mixed_feed())}
    )

    run = wait_finished(ImportRun.objects.get().pk)
    assert response.status_code == 302
    assert (run.status, run.summary) == ("succeeded", "created 1, updated 1, unchanged 0, failed 2")
    assert [error["row"] for error in run.errors] == [3, 4]
    assert Property.objects.count() == 2
    progress = client.get(f"/admin/imports/importrun/{run.pk}/progress/").json()
    assert (progress["active"], progress["progress"]) == (False, 1.0)
    assert list(
        ListingChange.objects.filter(property__mls_number="GOOD-1").values_list(
            "context", flat=True
        )
    ) == [f"admin import: Olive Ops (ops), file may.csv (import run {run.pk})"]
