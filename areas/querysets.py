"""Spatial and lookup reads on areas. Each method filters ``self`` and returns a QuerySet."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.gis.db.models.functions import GeomOutputGeoFunc, Transform
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db import models
from django.db.models import BooleanField, Q, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone


class AreaQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date | None = None) -> AreaQuerySet:
        """Areas whose generation is in force on the date (today by default)."""
        on = on or timezone.localdate()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on),
            Q(valid_to__isnull=True) | Q(valid_to__gt=on),
        )

    def current(self) -> AreaQuerySet:
        """The newest generation of each area (the one with no end date)."""
        return self.filter(valid_to__isnull=True)

    def choosable(self, code: str) -> AreaQuerySet:
        """The municipality's areas in force that a person picks from a list (not the
        municipality itself), by type and name, without their geometry."""
        return (
            self.in_force()
            .in_municipality(code)
            .exclude(type__slug="kommune")
            .select_related("type")
            .defer("geom")
            .order_by("type__slug", "name")
        )

    def of_type(self, slug: str) -> AreaQuerySet:
        """Areas of the area type with this slug."""
        return self.filter(type__slug=slug)

    def with_api_geometry(self, simplify_metres: float | None = None) -> AreaQuerySet:
        """Annotate ``api_geom``: the geometry in WGS 84, simplified (in metres) when asked."""
        return self.annotate(api_geom=api_geometry(simplify_metres))

    def in_municipality(self, code: str) -> AreaQuerySet:
        """Areas that belong to the municipality with this kommunenummer."""
        return self.filter(municipality__code=code)

    def intersecting(self, geometry, *, buffer_metres: float = 0) -> AreaQuerySet:
        """Areas that meet the geometry or lie within ``buffer_metres`` of it (metres, in the
        storage SRID), tested on the indexed subdivided copies."""
        from django.contrib.gis.measure import D

        if buffer_metres:
            pieces = models.Q(subdivisions__geom__dwithin=(geometry, D(m=buffer_metres)))
        else:
            pieces = models.Q(subdivisions__geom__intersects=geometry)
        return self.filter(id__in=self.model.objects.filter(pieces).values("id"))

    def covering_within(self, geometry, metres: float) -> AreaQuerySet:
        """Areas that cover the geometry (in the storage SRID) once grown by ``metres``.

        ST_CoveredBy against the area itself first; only if some of the geometry lies
        outside, that part against the buffered subdivided pieces within ``metres`` of it
        (found through their spatial index), so no whole coastline is buffered.
        """
        table = self.model._meta.db_table
        pieces = self.model._meta.get_field("subdivisions").related_model._meta.db_table
        # Raw SQL: a predicate over an aggregate (ST_Union of ST_Buffer) of the area's own
        # pieces, correlated with the row; GeoDjango has neither function nor the subquery.
        # Only the models' own table names are formatted in; the values are parameters.
        covered = RawSQL(  # noqa: S611
            f"""ST_CoveredBy(ST_GeomFromEWKB(%s), {table}.geom) OR COALESCE(ST_CoveredBy(
                ST_Difference(ST_GeomFromEWKB(%s), {table}.geom),
                (SELECT ST_Union(ST_Buffer(piece.geom, %s)) FROM {pieces} piece
                 WHERE piece.area_id = {table}.id AND ST_DWithin(
                     piece.geom, ST_Difference(ST_GeomFromEWKB(%s), {table}.geom), %s))
            ), false)""",
            [bytes(geometry.ewkb), bytes(geometry.ewkb), metres, bytes(geometry.ewkb), metres],
            output_field=BooleanField(),
        )
        return self.annotate(covered_within=covered).filter(covered_within=True)

    def covering(self, point: Point, *, on: datetime.date | None = None) -> AreaQuerySet:
        """Areas in force covering the point: at most one per area type.

        The lookup runs on the subdivided copies of the geometries (AreaSubdivision),
        with ST_Covers, so a point on a boundary belongs to the areas on both sides.
        Border rule: when several areas of one type cover the point, the one with
        the lowest code wins (then the lowest id), so every point gets exactly
        one area per type and the answer never depends on row order.
        """
        if point.srid is None:
            point = Point(point.x, point.y, srid=settings.NABOLAGET_API_SRID)
        winners = (
            self.in_force(on)
            .filter(subdivisions__geom__covers=point)
            .order_by("type_id", "code", "id")
            .distinct("type_id")
            .values("id")
        )
        return self.filter(id__in=winners)

    def with_boundary_near(self, point: Point, metres: float) -> AreaQuerySet:
        """Areas whose boundary passes within ``metres`` of the point (in the storage SRID)."""
        return self.annotate(edge=Boundary("geom")).filter(edge__dwithin=(point, D(m=metres)))


class MunicipalityQuerySet(models.QuerySet):
    def with_areas(self) -> MunicipalityQuerySet:
        """Municipalities that have at least one area of their own besides the boundary."""
        return self.filter(areas__isnull=False).distinct()


class Boundary(GeomOutputGeoFunc):
    """ST_Boundary: the rings of a polygon as lines (GeoDjango has no function for it)."""

    function = "ST_Boundary"
    geom_param_pos = (0,)


class SimplifyPreserveTopology(GeomOutputGeoFunc):
    """ST_SimplifyPreserveTopology: GeoDjango has no simplification function of its own."""

    function = "ST_SimplifyPreserveTopology"
    geom_param_pos = (0,)


class Multi(GeomOutputGeoFunc):
    """PostGIS ST_Multi: the geometry as its multi-part type."""

    function = "ST_Multi"


def api_geometry(simplify_metres: float | None = None) -> Transform:
    """The stored geometry as WGS 84 for the API, simplified (in metres) when asked."""
    geometry = "geom"
    if simplify_metres:
        # ST_SimplifyPreserveTopology gives a one-part MultiPolygon back as a Polygon;
        # ST_Multi keeps it the MultiPolygon the API promises (found by schemathesis).
        geometry = Multi(SimplifyPreserveTopology("geom", Value(float(simplify_metres))))
    return Transform(geometry, settings.NABOLAGET_API_SRID)
