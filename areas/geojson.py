"""Reading a geometry that a person drew or uploaded as GeoJSON (RFC 7946, WGS 84)."""

from __future__ import annotations

import json
import math

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_GEOJSON_BYTES = 5_000_000


def geometry_from_geojson(text: str | bytes, *, field: str = "geometry") -> GEOSGeometry:
    """A GeoJSON geometry, Feature, or FeatureCollection of one feature, as a WGS 84 geometry.

    Refuses, with a message naming the field, what RFC 7946 does not allow or a person
    probably did not mean: other coordinate systems, heights, non-finite numbers.
    """
    if len(text) > MAX_GEOJSON_BYTES:
        raise ValidationError({field: _("The GeoJSON is too large (at most 5 MB).")})
    try:
        data = json.loads(text, parse_constant=_no_constants)
    except (ValueError, TypeError) as exc:
        raise ValidationError(
            {field: _("This is not valid GeoJSON: %(error)s") % {"error": exc}}
        ) from exc
    if not isinstance(data, dict):
        raise ValidationError({field: _("GeoJSON must be an object.")})
    if "crs" in data:
        raise ValidationError(
            {
                field: _(
                    "Give coordinates in WGS 84 longitude/latitude (RFC 7946), without a 'crs' member."
                )
            }
        )
    if data.get("type") == "FeatureCollection":
        features = data.get("features") or []
        if len(features) != 1:
            raise ValidationError(
                {field: _("Upload one feature (the file has %(n)s).") % {"n": len(features)}}
            )
        data = features[0]
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or "coordinates" not in data:
        raise ValidationError({field: _("The GeoJSON has no geometry.")})
    _check_positions(data["coordinates"], field)
    try:
        geometry = GEOSGeometry(json.dumps(data), srid=4326)
    except (GEOSException, GDALException, ValueError, TypeError) as exc:
        raise ValidationError(
            {field: _("This geometry cannot be read: %(error)s") % {"error": exc}}
        ) from exc
    return geometry


def _no_constants(name):
    raise ValueError(f"{name} is not a number")


def _check_positions(coordinates, field: str) -> None:
    if (
        isinstance(coordinates, list)
        and coordinates
        and all(isinstance(c, int | float) and not isinstance(c, bool) for c in coordinates)
    ):
        if len(coordinates) != 2:
            raise ValidationError(
                {field: _("Positions have two numbers, longitude and latitude (no height).")}
            )
        lon, lat = coordinates
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise ValidationError({field: _("Coordinates must be finite numbers.")})
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValidationError(
                {field: _("Coordinates must be longitude (-180–180) and latitude (-90–90).")}
            )
        return
    if not isinstance(coordinates, list):
        raise ValidationError({field: _("Coordinates must be numbers.")})
    for item in coordinates:
        _check_positions(item, field)
