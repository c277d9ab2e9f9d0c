"""Hearth B replicates Hearth A's /reso/odata/ and mirrors exactly A's changes (SPEC §7)."""

import json
import urllib.request
from urllib.parse import urlsplit

import pytest
from rest_framework.test import APIClient

from mls.factories import MlsSourceFactory
from mls.models import SyncRun
from mls.sync import sync_run_execute
from properties.models import Property
from tests.mls.hearth_process import HearthProcess

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# What a listing is at its own Hearth, not data the MLS carries.
# primary_photo is compared apart: B serves A's URL, which names the host B asked.
LOCAL_FIELDS = {"id", "url", "created_at", "updated_at", "listing_agent", "listing_agent_id",
                "primary_photo", "price_history", "etag"}  # fmt: skip
SECRET = "reso-client-secret-for-tests-0123456789"


def _public(listings) -> dict:
    return {
        item["mls_number"]: {k: v for k, v in item.items() if k not in LOCAL_FIELDS}
        for item in listings
    }


def _a_pages(hearth) -> list:
    items, url = [], f"{hearth.base}/api/properties/?page_size=100"
    while url:
        request = urllib.request.Request(url, headers={"Host": f"localhost:{hearth.port}"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            page = json.load(response)
        items += page["results"]
        url = page.get("next")
    return items


def _b_pages() -> list:
    items, url = [], "/api/properties/?page_size=100"
    client = APIClient()
    while url:
        page = client.get(url).json()
        items += page["results"]
        url = page.get("next")
    return items


def _a_listings(hearth) -> dict:
    return _public(_a_pages(hearth))


def _b_listings() -> dict:
    return _public(_b_pages())


def _photo_paths(items) -> dict:
    """Each listing's primary photo as a path: A names its host as the client asked for it."""
    return {item["mls_number"]: urlsplit(item["primary_photo"] or "").path for item in items}


def _b_photos(mls_number) -> list[str]:
    listing = Property.objects.get(mls_number=mls_number)
    return [urlsplit(url).path for url in listing.photos.values_list("source_url", flat=True)]


@pytest.fixture
def hearth_a(tmp_path):
    hearth = HearthProcess(tmp_path)
    hearth.manage("migrate", "--no-input")
    hearth.manage("seed_demo", "--listings", "40", "--agents", "3", "--seed", "7")
    hearth.python(
        "from reso.factories import ApplicationFactory; ApplicationFactory(client_id='hearth-b')"
    )
    # Two public listings with photos (one with three, in an order B must keep).
    hearth.python(
        "from properties.factories import PropertyPhotoFactory as F\n"
        "from properties.models import Property as P\n"
        "a, b = P.objects.filter(status='active').order_by('-id')[:2]\n"
        "for position in (2, 0, 1): F(property=a, position=position, caption=f'p{position}')\n"
        "F(property=b, position=0)\n"
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
    b_listings = _b_listings()
    for number, item in expected.items():
        diff = {
            k: (v, b_listings[number].get(k))
            for k, v in item.items()
            if b_listings[number].get(k) != v
        }
        assert not diff, (number, diff)
    assert _b_listings() == expected
    a_photos = _photo_paths(_a_pages(hearth_a))
    assert sum(1 for path in a_photos.values() if path) == 2
    assert _photo_paths(_b_pages()) == a_photos
    with_three = next(n for n, item in expected.items() if item["photo_count"] == 3)
    a_order = hearth_a.python(
        "from properties.models import Property as P\n"
        f"p = P.objects.get(mls_number='{with_three}')\n"
        "print('PHOTOS', *(ph.image.url for ph in p.photos.order_by('position', 'id')))\n"
    )
    a_order = next(line for line in a_order.splitlines() if line.startswith("PHOTOS ")).split()[1:]
    assert _b_photos(with_three) == a_order

    # When A changes a price, deletes one listing and withdraws another
    changed = hearth_a.python(
        "from properties.models import Property as P\n"
        "from properties.services import properties_set_status\n"
        "active = P.objects.filter(status='active').order_by('id')\n"
        "ids = list(active.values_list('id', flat=True)[:3])\n"
        "p = P.objects.get(pk=ids[0]); p.price = p.price + 1000; p.save()\n"
        "P.objects.filter(pk=ids[1]).delete()\n"
        "properties_set_status(queryset=P.objects.filter(pk=ids[2]), status='withdrawn')\n"
        "from properties.services import photo_delete\n"
        f"photo_delete(photo=P.objects.get(mls_number='{with_three}').photos.get(position=0))\n"
        "kept = P.objects.filter(pk__in=[ids[0], ids[2]]).order_by('id')\n"
        "print(' '.join(kept.values_list('mls_number', flat=True)))\n"
    ).split()
    second = sync_run_execute(run_id=SyncRun.objects.create(source=source, trigger="api").pk)

    # Then B's next incremental run mirrors exactly those changes
    assert second.status == "succeeded", second.message
    # (the listing that lost a photo is read again: its fields are unchanged)
    assert second.counts == {"created": 0, "updated": 1, "unchanged": 1, "deleted": 2, "failed": 0}
    assert _b_listings() == _a_listings(hearth_a)
    assert _photo_paths(_b_pages()) == _photo_paths(_a_pages(hearth_a))
    assert _b_photos(with_three) == a_order[1:]
    assert changed[1] not in _b_listings()
