"""Great-circle distance as a database expression for SQLite and PostgreSQL, and bounding boxes."""

import math
from dataclasses import dataclass

from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    F,
    FloatField,
    Func,
    Q,
    Value,
    When,
)
from django.db.models.functions import ASin, Cast, Cos, Least, Power, Radians, Sin, Sqrt

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class BoundingBox:
    min_latitude: float
    min_longitude: float
    max_latitude: float
    max_longitude: float

    @property
    def crosses_antimeridian(self):
        return self.min_longitude > self.max_longitude


def bounding_box(latitude, longitude, radius_km):
    """The smallest latitude/longitude box that holds every point within ``radius_km``.

    Used to prefilter with the (latitude, longitude) index before the exact
    distance is computed. Near a pole the box spans every longitude; across
    the antimeridian ``min_longitude > max_longitude``.
    """
    angular = radius_km / EARTH_RADIUS_KM
    delta_lat = math.degrees(angular)
    min_lat, max_lat = latitude - delta_lat, latitude + delta_lat
    if min_lat <= -90 or max_lat >= 90:
        return BoundingBox(max(min_lat, -90), -180, min(max_lat, 90), 180)
    ratio = math.sin(angular) / math.cos(math.radians(latitude))
    delta_lng = math.degrees(math.asin(min(1.0, ratio)))
    min_lng, max_lng = longitude - delta_lng, longitude + delta_lng
    if delta_lng >= 180:
        return BoundingBox(min_lat, -180, max_lat, 180)
    if min_lng < -180:
        min_lng += 360
    if max_lng > 180:
        max_lng -= 360
    return BoundingBox(min_lat, min_lng, max_lat, max_lng)


def distance_km_expression(latitude, longitude, lat_field="latitude", lng_field="longitude"):
    """Haversine distance from a fixed point to each row's coordinates, in kilometres."""
    phi = math.radians(latitude)
    lam = math.radians(longitude)
    half_dlat = (Radians(F(lat_field)) - Value(phi)) / Value(2.0)
    half_dlng = (Radians(F(lng_field)) - Value(lam)) / Value(2.0)
    a = Power(Sin(half_dlat), 2) + Value(math.cos(phi)) * Cos(Radians(F(lat_field))) * Power(
        Sin(half_dlng), 2
    )
    return Value(2 * EARTH_RADIUS_KM) * ASin(Least(Value(1.0), Sqrt(a)), output_field=FloatField())


class _UnitVector(Func):
    # cube (a trusted extension) holds the point as a 3-D vector on the unit sphere.
    template = "cube(ARRAY[%(expressions)s])"
    output_field = FloatField()


class _Distance(Func):
    # cube's Euclidean distance and btree_gist's for ids: the GiST index answers both.
    arg_joiner = " <-> "
    template = "(%(expressions)s)"
    output_field = FloatField()


class _WithinCube(Func):
    arg_joiner = " <@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


class _Enlarged(Func):
    template = "cube_enlarge(%(expressions)s, 3)"
    output_field = FloatField()


def index_id():
    """The id as the GiST index of migration 0012 holds it: ``id + 0``, an expression.

    With the plain column in it, PostgreSQL picked that index for ``id IN (...)``
    (a deep page, a memoized search page) and scanned the whole of it: an
    expression no other query uses keeps it for ``near`` alone.
    """
    return F("id") + 0


def earth_point(lat_field="latitude", lng_field="longitude"):
    """Each row's position as a point on the unit sphere (PostgreSQL ``cube``).

    The GiST index of migration 0012 is built on exactly this expression (and the id).
    """
    lat, lng = Radians(F(lat_field)), Radians(F(lng_field))
    # A listing without coordinates has no point: cube() refuses an array with NULLs,
    # which would fail its INSERT, since the index computes this for every row.
    located = Q(**{f"{lat_field}__isnull": False, f"{lng_field}__isnull": False})
    return Case(
        When(located, then=_UnitVector(Cos(lat) * Cos(lng), Cos(lat) * Sin(lng), Sin(lat))),
        output_field=FloatField(),
    )


def _unit_vector(latitude, longitude):
    phi, lam = math.radians(latitude), math.radians(longitude)
    return _UnitVector(
        *(
            Value(c)
            for c in (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))
        )
    )


def within_cube(latitude, longitude, radius_km):
    """A filter the GiST index serves: each row within a cube around the point.

    The cube holds the whole sphere of ``radius_km`` around the point (the
    chord of that great-circle distance, plus a hair for rounding), so it never
    drops a listing the exact distance filter keeps; near the poles and across
    the antimeridian it needs no special case.
    """
    chord = 2 * math.sin(min(math.pi, radius_km / EARTH_RADIUS_KM) / 2) * (1 + 1e-9)
    return _WithinCube(
        earth_point(), _Enlarged(_unit_vector(latitude, longitude), Value(chord + 1e-12))
    )


def nearest_first(latitude, longitude) -> list:
    """The ordering (distance, then id) that the ``earth_point`` GiST index serves.

    The straight-line (chord) distance through the sphere grows with the
    great-circle distance, so the order is the great-circle order, found by
    walking the index from the point outwards, and stopping after the page,
    instead of computing the distance of every listing near it and sorting
    them. ``id <-> 0`` is the id ascending (btree_gist), the tie-breaker, in the
    same index scan.
    """
    return [
        _Distance(earth_point(), _unit_vector(latitude, longitude)),
        _Distance(index_id(), Cast(Value(0), BigIntegerField())),
    ]
