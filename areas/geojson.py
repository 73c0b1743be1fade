"""Reading a geometry that a person drew or uploaded as GeoJSON (RFC 7946, WGS 84).

User input is refused, never repaired: the message says what is wrong and names the field.
"""

from __future__ import annotations

import json
import math
import re

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_GEOJSON_BYTES = 5_000_000
GEOMETRY_TYPES = {
    "Point": 1,
    "MultiPoint": 2,
    "LineString": 2,
    "MultiLineString": 3,
    "Polygon": 3,
    "MultiPolygon": 4,
}


def geometry_from_geojson(text: str | bytes, *, field: str = "geometry") -> GEOSGeometry:
    """A GeoJSON geometry, Feature, or FeatureCollection of one feature, as a WGS 84 geometry.

    Refuses, with a message naming the field, what RFC 7946 does not allow or a person
    probably did not mean: other coordinate systems, heights, non-finite numbers.
    A text over 5 MB is refused with the code ``too_large`` (the views answer 413).
    """
    if len(text) > MAX_GEOJSON_BYTES:
        raise ValidationError(
            {field: ValidationError(_("The GeoJSON is too large (at most 5 MB)."), "too_large")}
        )
    try:
        data = json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        # The parser's own message is English ("Expecting value: line 1 column 1"): only
        # where it stopped is said, in the reader's language.
        raise ValidationError(
            {
                field: _(
                    "This is not valid GeoJSON: the JSON is broken at line %(line)s, "
                    "column %(column)s."
                )
                % {"line": exc.lineno, "column": exc.colno}
            }
        ) from exc
    except (ValueError, TypeError) as exc:
        raise ValidationError({field: _("This is not valid GeoJSON (JSON).")}) from exc
    except RecursionError as exc:
        raise ValidationError({field: _("The GeoJSON is nested too deeply.")}) from exc
    if not isinstance(data, dict):
        raise ValidationError({field: _("GeoJSON must be an object.")})
    _refuse_crs(data, field)
    if data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or len(features) != 1:
            count = len(features) if isinstance(features, list) else 0
            raise ValidationError(
                {field: _("Upload one feature (the file has %(n)s).") % {"n": count}}
            )
        data = features[0]
        if not isinstance(data, dict) or data.get("type") != "Feature":
            raise ValidationError({field: _("A FeatureCollection holds Features.")})
        _refuse_crs(data, field)
    if data.get("type") == "Feature":
        data = data.get("geometry")
        if not isinstance(data, dict):
            raise ValidationError({field: _("The GeoJSON has no geometry.")})
        _refuse_crs(data, field)
    check_geometry_object(data, field)
    try:
        geometry = GEOSGeometry(json.dumps(data), srid=4326)
    except (GEOSException, GDALException, ValueError, TypeError) as exc:
        # GEOS's and GDAL's messages are English and about their internals.
        raise ValidationError({field: _("This geometry cannot be read.")}) from exc
    return geometry


def crs_srid(crs) -> int | str | None:
    """The EPSG code a GeoJSON file's legacy ``crs`` member names (``EPSG:25833``,
    ``urn:ogc:def:crs:EPSG::25833``; CRS84 is 4326), its text when it names something else,
    None when there is no named one. The one reading of ``crs``: the importer's check of
    what GDAL took the file for and the case upload's longitude/latitude range use it."""
    properties = crs.get("properties") if isinstance(crs, dict) else None
    name = properties.get("name") if isinstance(properties, dict) else None
    if not name or not isinstance(name, str):
        return None
    if name.upper().endswith("CRS84"):
        return 4326
    match = re.search(r"EPSG:+(\d+)$", name.upper())
    return int(match.group(1)) if match else name


def check_geometry_object(data, field: str, *, lon_lat: bool = True) -> None:
    """A GeoJSON geometry object as RFC 7946 has it: a known type that is not a collection,
    positions of two finite numbers nested as deep as the type says (in longitude/latitude
    range when ``lon_lat``; a file in UTM says so with a ``crs`` member), no empty parts, no
    short or unclosed rings. GEOS and GDAL would take some of these and mend them silently."""
    if not isinstance(data, dict):
        raise ValidationError({field: _("The GeoJSON has no geometry.")})
    kind = data.get("type")
    kind = kind if isinstance(kind, str) else None
    if kind == "GeometryCollection":
        raise ValidationError({field: _("Draw one point, line or area, not a GeometryCollection.")})
    if kind not in GEOMETRY_TYPES or "coordinates" not in data:
        if "coordinates" not in data:
            raise ValidationError({field: _("The GeoJSON has no geometry.")})
        raise ValidationError(
            {
                field: _("Unknown geometry type %(type)s. Use one of: %(types)s.")
                % {"type": json.dumps(kind)[:40], "types": ", ".join(GEOMETRY_TYPES)}
            }
        )
    _check_positions(data["coordinates"], field, depth=GEOMETRY_TYPES[kind], lon_lat=lon_lat)
    _check_shape(kind, data["coordinates"], field)


def _no_constants(name):
    raise ValueError(f"{name} is not a number")


def _refuse_crs(data: dict, field: str) -> None:
    if "crs" in data:
        raise ValidationError(
            {
                field: _(
                    "Give coordinates in WGS 84 longitude/latitude (RFC 7946), without a 'crs' member."
                )
            }
        )


def _check_positions(coordinates, field: str, *, depth: int, lon_lat: bool = True) -> None:
    """Positions nested exactly ``depth`` arrays deep, each two finite numbers in range."""
    if not isinstance(coordinates, list):
        raise ValidationError({field: _("Coordinates must be numbers.")})
    if depth > 1:
        for item in coordinates:
            _check_positions(item, field, depth=depth - 1, lon_lat=lon_lat)
        return
    if any(isinstance(c, list) for c in coordinates):
        raise ValidationError({field: _("The coordinates are nested too deeply for the type.")})
    if not all(isinstance(c, int | float) and not isinstance(c, bool) for c in coordinates):
        raise ValidationError({field: _("Coordinates must be numbers.")})
    if len(coordinates) != 2:
        raise ValidationError(
            {field: _("Positions have two numbers, longitude and latitude (no height).")}
        )
    try:
        # JSON integers are Python's, of any size: one of hundreds of digits is no float.
        lon, lat = (float(c) for c in coordinates)
    except OverflowError:
        lon = lat = math.inf
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValidationError({field: _("Coordinates must be finite numbers.")})
    if lon_lat and not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError(
            {field: _("Coordinates must be longitude (-180–180) and latitude (-90–90).")}
        )


def _check_shape(kind: str, coordinates: list, field: str) -> None:
    """What GEOS would accept or silently mend but RFC 7946 forbids: empty parts, short
    lines, short or unclosed rings. The positions themselves are already checked."""
    if kind == "Point":
        return
    parts = {
        "MultiPoint": [],
        "LineString": [coordinates],
        "MultiLineString": coordinates,
        "Polygon": [coordinates],
        "MultiPolygon": coordinates,
    }[kind]
    if not coordinates or any(not part for part in parts):
        raise ValidationError({field: _("The geometry is empty.")})
    if kind in ("LineString", "MultiLineString") and any(len(line) < 2 for line in parts):
        raise ValidationError({field: _("A line needs at least two positions.")})
    if kind in ("Polygon", "MultiPolygon"):
        for ring in (ring for polygon in parts for ring in polygon):
            if len(ring) < 4 or ring[0] != ring[-1]:
                raise ValidationError(
                    {
                        field: _(
                            "Each ring of an area needs at least four positions and must end where it begins."
                        )
                    }
                )
