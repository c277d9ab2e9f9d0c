"""Great-circle distance as a database expression for SQLite and PostgreSQL, and bounding boxes."""

import math
from dataclasses import dataclass

from django.db.models import F, FloatField, Value
from django.db.models.functions import ASin, Cos, Least, Power, Radians, Sin, Sqrt

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
