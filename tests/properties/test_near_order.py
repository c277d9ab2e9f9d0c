"""`near=`: the order is the exact great-circle order, page after page, on every database."""

import math
import random

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from properties import geo
from properties.factories import PropertyFactory
from properties.models import Property

pytestmark = pytest.mark.django_db

LIST = "/api/properties/"
CENTER = (30.2672, -97.7431)


def haversine_km(lat1, lng1, lat2, lng2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    )
    return 2 * geo.EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@pytest.fixture
def scattered():
    rng = random.Random(18)  # noqa: S311 (test data, not secrets)
    listings = [
        PropertyFactory(
            status="active",
            latitude=CENTER[0] + rng.uniform(-0.06, 0.06),
            longitude=CENTER[1] + rng.uniform(-0.06, 0.06),
        )
        for _ in range(30)
    ]
    # Units of one building: the same point, ordered by id among themselves.
    listings += PropertyFactory.create_batch(4, status="active", latitude=30.27, longitude=-97.74)
    return listings


def test_pages_follow_the_exact_distance_order(api_client, settings, scattered):
    settings.API_RESPONSE_CACHE = False
    expected = sorted(
        (
            (haversine_km(*CENTER, p.latitude, p.longitude), p.pk)
            for p in scattered
            if haversine_km(*CENTER, p.latitude, p.longitude) <= 5
        ),
    )
    params = {"near": f"{CENTER[0]},{CENTER[1]}", "radius_km": 5, "page_size": 7}

    seen, page = [], 1
    while True:
        body = api_client.get(LIST, {**params, "page": page}).json()
        seen += [(row["distance_km"], row["id"]) for row in body["results"]]
        if not body["next"]:
            break
        page += 1

    assert body["count"] == len(expected) > 7
    assert [pk for _, pk in seen] == [pk for _, pk in expected]
    assert [d for d, _ in seen] == pytest.approx([d for d, _ in expected], abs=1e-3)


@pytest.mark.parametrize(
    "point",
    [(89.99, 10.0), (-89.99, -170.0), (0.0, 179.999), (0.0, -179.999)],
    ids=["north-pole", "south-pole", "antimeridian-east", "antimeridian-west"],
)
def test_the_index_filter_keeps_every_listing_in_the_radius(point):
    # A listing just inside the radius across the pole or the antimeridian.
    lat, lng = point
    other_side = -lng if abs(lng) > 170 else (lng - 180 if lng > 0 else lng + 180)
    inside = PropertyFactory(status="active", latitude=lat, longitude=other_side)
    radius = haversine_km(lat, lng, inside.latitude, inside.longitude) + 0.01
    found = Property.objects.visible_to(AnonymousUser()).near(lat, lng, radius)

    assert list(found.values_list("pk", flat=True)) == [inside.pk]


def test_listings_without_coordinates_are_stored_and_never_near(scattered):
    # The index computes each listing's point: one without coordinates has none.
    PropertyFactory(status="active", latitude=None, longitude=None)
    found = Property.objects.visible_to(AnonymousUser()).near(*CENTER, 500)

    assert found.count() == len(scattered)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GiST index is PostgreSQL's")
def test_postgresql_reads_the_page_from_the_gist_index(scattered):
    rows = Property.objects.visible_to(AnonymousUser()).with_list_data().near(*CENTER, 5)[:20]
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "property_earth_point_gist_idx" in plan
    assert "Order By:" in plan  # nearest first from the index, no sort of every row
