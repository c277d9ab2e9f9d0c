"""Hearth B replicates Hearth A's /reso/odata/ and mirrors exactly A's changes (SPEC §7)."""

import json
import urllib.request

import pytest
from rest_framework.test import APIClient

from mls.factories import MlsSourceFactory
from mls.models import SyncRun
from mls.sync import sync_run_execute
from tests.mls.hearth_process import HearthProcess

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# What a listing is at its own Hearth, not data the MLS carries.
LOCAL_FIELDS = {"id", "url", "created_at", "updated_at", "listing_agent", "listing_agent_id",
                "primary_photo", "photo_count", "price_history", "etag"}  # fmt: skip
SECRET = "reso-client-secret-for-tests-0123456789"


def _public(listings) -> dict:
    return {
        item["mls_number"]: {k: v for k, v in item.items() if k not in LOCAL_FIELDS}
        for item in listings
    }


def _a_listings(hearth) -> dict:
    items, url = [], f"{hearth.base}/api/properties/?page_size=100"
    while url:
        request = urllib.request.Request(url, headers={"Host": f"localhost:{hearth.port}"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            page = json.load(response)
        items += page["results"]
        url = page.get("next")
    return _public(items)


def _b_listings() -> dict:
    items, url = [], "/api/properties/?page_size=100"
    client = APIClient()
    while url:
        page = client.get(url).json()
        items += page["results"]
        url = page.get("next")
    return _public(items)


@pytest.fixture
def hearth_a(tmp_path):
    hearth = HearthProcess(tmp_path)
    hearth.manage("migrate", "--no-input")
    hearth.manage("seed_demo", "--listings", "40", "--agents", "3", "--seed", "7")
    hearth.python(
        "from reso.factories import ApplicationFactory; ApplicationFactory(client_id='hearth-b')"
    )
    hearth.start()
    yield hearth
    hearth.stop()


def test_hearth_b_mirrors_hearth_a_field_for_field_and_then_exactly_its_changes(hearth_a, settings):
    settings.MLS_SYNC_ALLOW_PRIVATE = True
    source = MlsSourceFactory(
        url=f"{hearth_a.base}/reso/odata/", token_url=f"{hearth_a.base}/reso/oauth/token",
        client_id="hearth-b", client_secret=SECRET, page_size=7,
    )  # fmt: skip

    # When B replicates A
    first = sync_run_execute(run_id=SyncRun.objects.create(source=source, trigger="api").pk)

    # Then B serves A's public listings field for field
    expected = _a_listings(hearth_a)
    assert first.status == "succeeded", first.message
    assert (first.created, first.failed, first.errors) == (len(expected), 0, [])
    assert _b_listings() == expected

    # When A changes a price, deletes one listing and withdraws another
    changed = hearth_a.python(
        "from properties.models import Property as P\n"
        "from properties.services import properties_set_status\n"
        "active = P.objects.filter(status='active').order_by('id')\n"
        "ids = list(active.values_list('id', flat=True)[:3])\n"
        "p = P.objects.get(pk=ids[0]); p.price = p.price + 1000; p.save()\n"
        "P.objects.filter(pk=ids[1]).delete()\n"
        "properties_set_status(queryset=P.objects.filter(pk=ids[2]), status='withdrawn')\n"
        "kept = P.objects.filter(pk__in=[ids[0], ids[2]]).order_by('id')\n"
        "print(' '.join(kept.values_list('mls_number', flat=True)))\n"
    ).split()
    second = sync_run_execute(run_id=SyncRun.objects.create(source=source, trigger="api").pk)

    # Then B's next incremental run mirrors exactly those changes
    assert second.status == "succeeded", second.message
    assert second.counts == {"created": 0, "updated": 1, "unchanged": 0, "deleted": 2, "failed": 0}
    assert _b_listings() == _a_listings(hearth_a)
    assert changed[1] not in _b_listings()
