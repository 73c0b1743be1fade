"""The checks every drawn or uploaded place passes before it is stored: councils' submissions,
cases and case layers (residents' pins are points, placed by ``Area.objects.covering``).

Records are append-only, so a geometry is checked where it will live: in the storage SRID
(EPSG:25833, metres), after the transformation. A polygon that is valid in longitude and
latitude may not be after it (the whole world, a ring reaching the pole), and a place that
merely touches the municipality may reach far beyond it.

**Containment rule.** A place lies within its municipality, or no more than
``tolerance_metres`` beyond its boundary: BORDER_TOLERANCE_METRES (1 km) for submissions and
cases, LAYER_TOLERANCE_METRES (10 km) for a case's map layers. The boundaries held are
generalised (Bodø's has under a thousand vertices: it cuts across bays and runs up to some
600 m off the shore in the fjords), and quays, harbour basins and the far verge of a road lie
just outside; 1 km is small against a municipality (Bodø is some 70 km across) and against
what was refused (a neighbour's centre is tens of kilometres away). A layer is context around the case: a route that
continues to the junction in the next municipality, an alternative drawn a little wider.
A geometry that crosses the border by more is refused, never clipped: what is on the record
is what was drawn. A case that concerns two municipalities is filed in each, with its part.
"""

from __future__ import annotations

import math

from django.contrib.gis.db.models.functions import Envelope
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from areas.models import STORAGE_SRID, Area, Municipality

BORDER_TOLERANCE_METRES = 1000
LAYER_TOLERANCE_METRES = 10_000
# A point this close to the municipality's boundary is on it, as far as anyone can tell:
# which side it is on depends on rounding, so it is refused rather than guessed.
ON_BOUNDARY_METRES = 1.0
GEOMETRY_TYPES = {
    "Point",
    "LineString",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
}


def place_check(
    geometry: GEOSGeometry,
    municipality: Municipality,
    *,
    field: str = "geometry",
    max_vertices: int,
    tolerance_metres: float = BORDER_TOLERANCE_METRES,
) -> GEOSGeometry:
    """The geometry in the storage SRID, or a ValidationError naming ``field``.

    Valid as given (never silently repaired), of a known type and at most ``max_vertices``;
    after the transformation: finite, valid, inside the municipality's bounding box grown by
    the tolerance, and covered by the municipality grown by the tolerance (PostGIS); a point
    not on the boundary itself.
    """
    _check_as_given(geometry, field, max_vertices)
    try:
        stored = geometry.transform(STORAGE_SRID, clone=True)
    except (GDALException, GEOSException) as exc:
        raise ValidationError({field: _not_in_projection()}) from exc
    if not all(math.isfinite(v) for v in stored.extent):
        raise ValidationError({field: _not_in_projection()})
    if not stored.valid:
        raise ValidationError(
            {
                field: _("The geometry is not valid on the map of Norway (UTM): %(reason)s.")
                % {"reason": stored.valid_reason}
            }
        )
    boundary = (
        Area.objects.current()
        .of_type("kommune")
        .filter(code=municipality.code)
        .annotate(box=Envelope("geom"))
        .defer("geom")
        .first()
    )
    outside = ValidationError(
        {
            field: _(
                "The place reaches outside %(name)s: it must lie within the municipality, "
                "or at most %(metres)s metres beyond its boundary."
            )
            % {"name": municipality.name, "metres": f"{tolerance_metres:.0f}"}
        }
    )
    if boundary is None or not _within_box(stored, boundary.box, tolerance_metres):
        raise outside
    if not Area.objects.filter(pk=boundary.pk).covering_within(stored, tolerance_metres).exists():
        raise outside
    if stored.geom_type == "Point":
        boundary_check(stored, municipality, field=field)
    return stored


def boundary_check(point: Point, municipality: Municipality, *, field: str = "geometry") -> None:
    """Refuse a point on the municipality's boundary (within ON_BOUNDARY_METRES of it)."""
    on_edge = (
        Area.objects.current()
        .of_type("kommune")
        .filter(code=municipality.code)
        .with_boundary_near(point, ON_BOUNDARY_METRES)
        .exists()
    )
    if on_edge:
        raise ValidationError(
            {
                field: _("The place is on the boundary of %(name)s. Move it a little inside.")
                % {"name": municipality.name}
            }
        )


def _check_as_given(geometry: GEOSGeometry, field: str, max_vertices: int) -> None:
    if geometry.empty:
        raise ValidationError({field: _("The geometry is empty.")})
    if geometry.geom_type not in GEOMETRY_TYPES:
        raise ValidationError(
            {
                field: _("Draw a point, a line or an area (not %(type)s).")
                % {"type": geometry.geom_type}
            }
        )
    if geometry.num_coords > max_vertices:
        raise ValidationError(
            {field: _("The geometry has too many points (at most %(n)s).") % {"n": max_vertices}}
        )
    if not geometry.valid:
        raise ValidationError(
            {field: _("The geometry is not valid: %(reason)s.") % {"reason": geometry.valid_reason}}
        )
    if _degenerate(geometry):
        raise ValidationError({field: _("The geometry has no size: its points lie on each other.")})


def _not_in_projection() -> str:
    return _(
        "The geometry cannot be placed on the map of Norway: its coordinates do not convert "
        "to UTM (it reaches too far, e.g. to a pole or round the world)."
    )


def _within_box(stored: GEOSGeometry, box: GEOSGeometry, metres: float) -> bool:
    """The geometry's extent inside the box grown by ``metres``: a first, cheap test of
    extent and size before PostGIS compares the shapes."""
    xmin, ymin, xmax, ymax = stored.extent
    bxmin, bymin, bxmax, bymax = box.extent
    return (
        xmin >= bxmin - metres
        and ymin >= bymin - metres
        and xmax <= bxmax + metres
        and ymax <= bymax + metres
    )


def _degenerate(geometry: GEOSGeometry) -> bool:
    """An area with (next to) no area, or a line with no length: points on top of each other
    or on one line. Relative to the extent, so it holds in degrees."""
    xmin, ymin, xmax, ymax = geometry.extent
    size = max(xmax - xmin, ymax - ymin)
    if geometry.dims == 2:
        return geometry.area <= 1e-9 * size * size
    if geometry.dims == 1:
        return size == 0
    return False
