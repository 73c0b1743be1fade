"""Spatial and lookup reads on areas. Each method filters ``self`` and returns a QuerySet."""

from __future__ import annotations

import datetime
import re
from typing import NamedTuple

import psycopg
from django.conf import settings
from django.contrib.gis.db.models.functions import GeomOutputGeoFunc, Transform
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import BooleanField, Case, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length, Upper
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


class CoveringArea(NamedTuple):
    """One row of ``covering_rows``: what the API shows of an area, without its geometry."""

    id: int
    name: str
    code: str
    type_slug: str
    type_name_nb: str
    type_name_nn: str
    type_name_en: str
    municipality_code: str | None
    parent_id: int | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    source: str


# Raw SQL, for the API's point lookup only: ``Area.objects.in_force().covering(point)`` with
# the columns the API shows, in Area's Meta order, written once and prepared on each
# connection. Building and compiling that queryset took more time than PostgreSQL takes
# to answer it (tests/bench/run.py measures both). The border rule, the in-force test and
# the order are the ORM's (tests/areas/test_lookup.py compares the two). The point is made
# in a subquery, run once per execution: PostgreSQL then keeps one generic plan for the
# statement instead of planning it anew each time (planning took longer than running it).
COVERING_ROWS_SQL = """
SELECT a.id, a.name, a.code, t.slug, t.name_nb, t.name_nn, t.name_en, m.code,
       a.parent_id, a.valid_from, a.valid_to, a.source
  FROM areas_area a
  JOIN areas_areatype t ON t.id = a.type_id
  LEFT JOIN areas_municipality m ON m.id = a.municipality_id
 WHERE a.id IN (
       SELECT DISTINCT ON (w.type_id) w.id
         FROM areas_area w JOIN areas_areasubdivision s ON s.area_id = w.id
        WHERE ST_Covers(s.geom, (SELECT ST_Transform(
                  ST_SetSRID(ST_MakePoint(%s::float8, %s::float8), %s::integer), %s::integer)))
          AND (w.valid_from IS NULL OR w.valid_from <= %s::date)
          AND (w.valid_to IS NULL OR w.valid_to > %s::date)
        ORDER BY w.type_id, w.code, w.id)
 ORDER BY t.slug, a.name, a.code
"""


class PreparedCursor(psycopg.Cursor):
    """A psycopg cursor that binds parameters on the server and prepares every statement it
    runs; psycopg keeps the prepared statements per connection and prepares again on a new
    one. (Django's own cursors bind on the client, which cannot prepare.)"""

    def execute(self, query, params=None, *, prepare: bool | None = True, binary=None):
        return super().execute(query, params, prepare=prepare, binary=binary)


def covering_rows(
    point: Point, *, on: datetime.date | None = None, using: str = DEFAULT_DB_ALIAS
) -> list[CoveringArea]:
    """The areas of ``Area.objects.in_force(on).covering(point)`` as plain rows, in Area's
    order (type slug, name, code), from one prepared statement: the API's point lookup."""
    if point.srid is None:
        point = Point(point.x, point.y, srid=settings.NABOLAGET_API_SRID)
    on = on or timezone.localdate()
    connection = connections[using]
    # What connection.cursor() does, with a cursor of our class: the connection checked
    # and opened, and Django's wrapper around the cursor (its errors, its query log).
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = PreparedCursor(connection.connection)
    wrapped = (
        connection.make_debug_cursor(raw)
        if connection.queries_logged
        else connection.make_cursor(raw)
    )
    with wrapped as cursor:
        cursor.execute(
            COVERING_ROWS_SQL,
            [point.x, point.y, point.srid, settings.NABOLAGET_STORAGE_SRID, on, on],
        )
        return [CoveringArea._make(row) for row in cursor.fetchall()]


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


# The most address suggestions given for one query: a list a person reads through.
MAX_ADDRESS_SUGGESTIONS = 10
# A house number (with its letter) at the end of a typed address: "STORGATA 12B".
HOUSE_NUMBER = re.compile(r"\s+\d+\s*[A-ZÆØÅ]?$")


class AddressQuerySet(models.QuerySet):
    def search(self, text: str) -> AddressQuerySet:
        """Addresses whose text starts with what was typed (case-insensitive)."""
        return self.filter(text__istartswith=text.strip())

    def suggest(self, text: str) -> AddressQuerySet:
        """Addresses for what has been typed so far, best first: those starting with it (in
        the order of their house numbers), then those with a word like it (a typo, a letter
        left out: pg_trgm's word similarity). Both tests use the trigram index on
        ``UPPER(text)`` (migration areas 0002); nothing for blank text."""
        typed = " ".join(text.split()).upper()
        if not typed:
            return self.none()
        # The street's name is compared without the house number, which would pull a
        # misspelt name ("Storgt 1") below the similarity threshold; the order uses both.
        street = HOUSE_NUMBER.sub("", typed) or typed
        upper = Upper("text")
        starts = Q(upper_text__startswith=typed)
        return (
            self.alias(upper_text=upper)
            .filter(starts | Q(upper_text__trigram_word_similar=street))
            .annotate(
                starts_with=Case(When(starts, then=Value(1)), default=Value(0)),
                similarity=TrigramWordSimilarity(Value(typed), upper),
            )
            .order_by("-starts_with", "-similarity", Length("text"), "text", "postcode")
        )

    def with_api_point(self) -> AddressQuerySet:
        """Annotate ``api_point``: the point in WGS 84 for the API and the map."""
        return self.annotate(api_point=Transform("point", 4326))
