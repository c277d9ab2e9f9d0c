"""PropertySerializer's read path renders exactly what DRF's field-by-field path renders."""

import pytest
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from properties.factories import PropertyFactory, PropertyPhotoFactory, SoldPropertyFactory
from properties.models import Property
from properties.serializers import PropertySerializer
from users.factories import AgentFactory

pytestmark = pytest.mark.django_db


def drf_representation(serializer, listing):
    """What ModelSerializer itself renders, through the fields it builds per instance."""
    return serializers.ModelSerializer.to_representation(serializer, listing)


@pytest.mark.parametrize(
    ("path", "format_suffix"),
    [
        ("/api/properties/", None),
        ("/api/properties/?format=json", None),
        ("/api/properties.json", "json"),
    ],
)
def test_fast_read_path_matches_drf_for_every_kind_of_listing(path, format_suffix):
    # Given listings with and without an agent (one without a name), photos, a sale, blanks
    agent = AgentFactory(first_name="Ana", last_name="Silva", phone="+1 512 555 0100")
    nameless = AgentFactory(first_name="", last_name="")
    plain = PropertyFactory(listing_agent=None, bedrooms=None, bathrooms=None, latitude=None)
    with_photos = PropertyFactory(listing_agent=agent, unit="4B", description="Près du lac ✓")
    PropertyPhotoFactory.create_batch(2, property=with_photos)
    sold = SoldPropertyFactory(listing_agent=nameless)
    request = Request(APIRequestFactory().get(path, HTTP_HOST="testserver:8000"))
    listings = [
        *Property.objects.filter(pk__in=[plain.pk, with_photos.pk, sold.pk]).with_list_data(),
        *Property.objects.filter(pk=with_photos.pk).with_list_data().near(30.27, -97.74, 500),
        Property.objects.get(pk=sold.pk),  # a plain read: the photo columns come with the row
    ]

    # One serializer renders every row, as for a page of a list
    serializer = PropertySerializer(context={"request": request, "format": format_suffix})
    for listing in listings:
        # When the read path renders it
        fast = serializer.to_representation(listing)

        # Then it is DRF's rendering, key order included
        expected = drf_representation(PropertySerializer(context=serializer.context), listing)
        assert list(fast.items()) == list(expected.items())


def test_without_a_request_the_drf_path_runs():
    listing = PropertyFactory()

    serializer = PropertySerializer(context={})
    with pytest.raises(AssertionError):  # DRF's own complaint about the missing request
        serializer.to_representation(listing)
