"""Small geometry helpers shared by the apps."""

from __future__ import annotations

import math
from functools import lru_cache

from django.contrib.gis.gdal import CoordTransform, GDALException, SpatialReference
from django.contrib.gis.geos import MultiPoint, Point, Polygon
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from areas.models import STORAGE_SRID

EDGE_STEPS = 32
# Beyond every coordinate a UTM zone gives (metres).
WHOLE_PLANE = (-1e9, -1e9, 1e9, 1e9)


@lru_cache(maxsize=8)
def coord_transform(source: int, target: int) -> CoordTransform:
    """A reusable transformation: building one (PROJ's set-up) costs milliseconds."""
    return CoordTransform(SpatialReference(source), SpatialReference(target))


def storage_extent(bbox: Polygon, *, margin: float = 1.0) -> tuple[float, float, float, float]:
    """The extent in the storage SRID of a WGS 84 bounding box.

    A lon/lat box is not a rectangle in UTM: its south and north edges (parallels) bow,
    so transforming only the corners would cut a sliver off. The edges are sampled.
    """
    west, south, east, north = bbox.extent
    samples = MultiPoint(
        [
            Point(west + (east - west) * i / EDGE_STEPS, y)
            for i in range(EDGE_STEPS + 1)
            for y in (south, north)
        ],
        srid=4326,
    )
    try:
        samples.transform(coord_transform(4326, STORAGE_SRID))
    except GDALException:
        # A box reaching a quarter of the globe from the zone's central meridian has points
        # UTM cannot project (PROJ refuses them): no narrowing by the index then, the
        # caller's exact test in WGS 84 still decides.
        return WHOLE_PLANE
    xmin, ymin, xmax, ymax = samples.extent
    return xmin - margin, ymin - margin, xmax + margin, ymax + margin


def lon_lat_point(lon: float, lat: float, *, field: str = "geometry") -> Point:
    """A WGS 84 point from longitude and latitude, refusing what is not a place on Earth."""
    if not (isinstance(lon, int | float) and isinstance(lat, int | float)) or isinstance(lon, bool):
        raise ValidationError({field: _("Coordinates must be numbers.")})
    try:
        lon, lat = float(lon), float(lat)  # an integer of hundreds of digits is no float
    except OverflowError:
        lon = lat = math.inf
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValidationError({field: _("Coordinates must be finite numbers.")})
    if not -180 <= lon <= 180:
        raise ValidationError({field: _("Longitude must be between -180 and 180.")})
    if not -90 <= lat <= 90:
        raise ValidationError({field: _("Latitude must be between -90 and 90.")})
    return Point(lon, lat, srid=4326)
