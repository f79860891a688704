"""ODK's geographic functions: ``area`` of a geoshape and ``distance`` along a line, on a
sphere as JavaRosa computes them."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from typing import Any

from formengine.xpath.library import _register
from formengine.xpath.values import to_string

EARTH_RADIUS_METERS = 6_378_100  # JavaRosa's GeoUtils


def _geo_points(values: Iterable[Any]) -> list[tuple[float, float]] | None:
    """'lat lon alt acc;lat lon ...' (a geotrace or geoshape), or several geopoints."""
    points = []
    for value in values:
        for part in to_string(value).split(";"):
            numbers = part.split()
            if not numbers:
                continue
            try:
                lat, lon = float(numbers[0]), float(numbers[1])
            except (IndexError, ValueError):
                return None
            points.append((lat, lon))
    return points


@_register("area", 1, nodesets=True)
def _area(context: Any, *values: Any) -> float:
    """A geoshape's area in square metres, on a sphere (JavaRosa's formula)."""
    points = _geo_points(values)
    if points is None:
        return math.nan
    if len(points) > 1 and points[0] == points[-1]:
        points = points[:-1]
    if len(points) < 3:
        return 0.0
    total = 0.0
    for index, (lat, _lon) in enumerate(points):
        after = points[(index + 1) % len(points)][1]
        before = points[index - 1][1]
        total += math.radians(after - before) * math.sin(math.radians(lat))
    return abs(total * EARTH_RADIUS_METERS**2 / 2)


@_register("distance", (1, None), nodesets=True)
def _distance(context: Any, *values: Any) -> float:
    """The length in metres of a geotrace or geoshape, or of the line through geopoints."""
    points = _geo_points(values)
    if points is None:
        return math.nan
    length = 0.0
    for (lat1, lon1), (lat2, lon2) in itertools.pairwise(points):
        phi1, phi2 = math.radians(lat1), math.radians(lat2)
        dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
        h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
        length += 2 * EARTH_RADIUS_METERS * math.asin(min(1.0, math.sqrt(h)))
    return length
