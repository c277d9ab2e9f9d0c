"""The RESO Web API serves what seed_demo writes, photos included."""

import pytest
from django.contrib.auth.models import AnonymousUser

from properties.models import Property
from tests.properties.command_helpers import run_command
from tests.reso.conftest import ROOT, values

pytestmark = pytest.mark.django_db


def test_seeded_listings_and_their_photos_are_served(odata):
    run_command("seed_demo", "--listings", "80", "--agents", "2", "--seed", "21", "--photos")
    public = Property.objects.visible_to(AnonymousUser())
    listing = public.exclude(photo_total=0).order_by("id").first()
    photos = list(listing.photos.order_by("position", "id"))

    page = odata.get(f"{ROOT}Property", {"$top": "5", "$count": "true"})
    record = odata.get(
        f"{ROOT}Property",
        {"$filter": f"ListingKey eq '{listing.pk}'", "$expand": "Media,ListAgent"},
    )

    assert page.json()["@odata.count"] == public.count()
    [served] = values(record)
    assert served["ListingId"] == listing.mls_number
    assert served["ListAgent"]["MemberKey"] == str(listing.listing_agent_id)
    assert [m["MediaKey"] for m in served["Media"]] == [str(photo.pk) for photo in photos]
    assert [m["MediaURL"] for m in served["Media"]] == [
        f"http://testserver/media/{photo.image.name}" for photo in photos
    ]
