"""Reads on residents' input. Each method filters ``self`` and returns a QuerySet."""

from __future__ import annotations

import datetime
import math

from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.geos import Point, Polygon
from django.contrib.gis.measure import D
from django.contrib.postgres.search import SearchQuery
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from areas.geo import storage_extent
from areas.models import STORAGE_SRID


class MedianDays(models.Aggregate):
    """Median of (end - start) in whole days (as the rollup counts them), over rows where
    end is set (percentile_cont)."""

    function = "percentile_cont"
    template = (
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY "
        "floor(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0))"
    )
    output_field = models.FloatField()

    def __init__(self, start: str, end: str, **extra):
        super().__init__(
            models.ExpressionWrapper(F(end) - F(start), output_field=models.DurationField()),
            **extra,
        )


def lon_lat(wgs84_point) -> dict:
    """Annotations ``lon`` and ``lat``: the coordinates of a WGS 84 point expression."""
    return {
        "lon": models.Func(wgs84_point, function="ST_X", output_field=models.FloatField()),
        "lat": models.Func(wgs84_point, function="ST_Y", output_field=models.FloatField()),
    }


def lon_lat_of(x, y) -> dict:
    """Annotations ``lon`` and ``lat``: the storage-SRID coordinates (expressions) in WGS 84."""
    point = models.Func(
        models.Func(x, y, function="ST_MakePoint"),
        models.Value(STORAGE_SRID),
        function="ST_SetSRID",
    )
    return lon_lat(models.Func(point, models.Value(4326), function="ST_Transform"))


class CategoryQuerySet(models.QuerySet):
    def for_municipality(self, code: str | None) -> CategoryQuerySet:
        """The default categories plus the municipality's own."""
        return self.filter(Q(municipality__isnull=True) | Q(municipality__code=code))

    def with_slug(self, slug: str) -> CategoryQuerySet:
        """Categories with this slug, a municipality's own before the default one (which
        its own of the same slug stands in for)."""
        return self.filter(slug=slug).order_by(F("municipality").asc(nulls_last=True), "pk")


class PriorityQuerySet(models.QuerySet):
    def public(self) -> PriorityQuerySet:
        """Priorities anyone may see (not hidden by a moderator or by reports, not merged away)."""
        return self.filter(visibility="public")

    def visible_to(self, user, staff_roles, *, merged: bool = False) -> PriorityQuerySet:
        """Priorities the account may see: public ones, its own, and all in the
        municipalities where it holds one of the staff roles; with ``merged``, also those
        merged into another (their page says where they went: they were public, and the
        e-mail about the merge links to them)."""
        shown = models.Q(visibility__in=["public", "merged"] if merged else ["public"])
        if not user.is_authenticated:
            return self.filter(shown)
        return self.filter(
            shown
            | models.Q(author=user)
            | models.Q(municipality__in=user.staff_municipality_ids(*staff_roles))
        )

    def in_municipality(self, code: str) -> PriorityQuerySet:
        """Priorities in the municipality with this kommunenummer."""
        return self.filter(municipality__code=code)

    def in_area(self, area) -> PriorityQuerySet:
        """Priorities assigned to the area (at creation, or when areas were re-imported)."""
        return self.filter(areas=area)

    def in_area_type(self, slug: str) -> PriorityQuerySet:
        """Priorities that fall in some area of the type."""
        links = self.model.areas.through.objects.filter(area__type__slug=slug)
        return self.filter(id__in=links.values("priority_id"))

    def in_bbox(self, bbox: Polygon) -> PriorityQuerySet:
        """Priorities inside a WGS 84 bounding box, exactly.

        A lon/lat box is not a rectangle in the storage SRID (its south and north edges are
        curved there), so the spatial index narrows by the box's true extent in the storage
        SRID, and the exact test is made in WGS 84.
        """
        reach = Polygon.from_bbox(storage_extent(bbox))
        reach.srid = STORAGE_SRID
        return (
            self.filter(point__bboverlaps=reach)
            .annotate(_point_lonlat=Transform("point", 4326))
            .filter(_point_lonlat__coveredby=bbox)
        )

    def near(self, point: Point, metres: float) -> PriorityQuerySet:
        """Priorities within a distance in metres (storage SRID is metric)."""
        return self.filter(point__dwithin=(point, D(m=metres)))

    def created_between(
        self, since: datetime.date | None, until: datetime.date | None
    ) -> PriorityQuerySet:
        """Priorities created from ``since`` up to and including ``until``."""
        queryset = self
        if since:
            queryset = queryset.filter(created_at__date__gte=since)
        if until:
            queryset = queryset.filter(created_at__date__lte=until)
        return queryset

    def answered(self, answered: bool = True) -> PriorityQuerySet:
        """Priorities with (or, with False, without) at least one public answer."""
        return self.filter(first_answered_at__isnull=not answered)

    def search(self, text: str) -> PriorityQuerySet:
        """Full-text search in title and text, with Norwegian stemming."""
        query = SearchQuery(text, config="norwegian", search_type="websearch")
        return self.filter(search_vector=query)

    def min_support(self, count: int) -> PriorityQuerySet:
        """Priorities with at least this many supporters."""
        return self.filter(support_count__gte=count)

    def in_case(self, case_number: str) -> PriorityQuerySet:
        """Priorities linked to the case (saksnummer, e.g. 2026/1234) in their municipality."""
        return self.filter(case_links__case_number=case_number)

    def in_area_tree(self, area) -> PriorityQuerySet:
        """Priorities in the area or in any of its sub-areas."""
        tree = [area.pk, *area.children.values_list("pk", flat=True)]
        links = self.model.areas.through.objects.filter(area_id__in=tree)
        return self.filter(id__in=links.values("priority_id"))

    def stats(self) -> dict:
        """Totals for these priorities: count, supports, share answered, median days to first answer."""
        return self.aggregate(
            count=Count("id"),
            supports=Coalesce(Sum("support_count"), 0),
            answered=Count("id", filter=Q(first_answered_at__isnull=False)),
            median_days=MedianDays("created_at", "first_answered_at"),
        )

    def stats_by_area(self, area_type_slug: str) -> PriorityQuerySet:
        """The same totals per area of one type: rows of area_id, count, supports, answered,
        median_days."""
        return (
            self.filter(areas__type__slug=area_type_slug)
            .values(area_id=F("areas__id"))
            .annotate(
                count=Count("id"),
                supports=Coalesce(Sum("support_count"), 0),
                answered=Count("id", filter=Q(first_answered_at__isnull=False)),
                median_days=MedianDays("created_at", "first_answered_at"),
            )
            .order_by()
        )

    def by_category_and_status(self) -> PriorityQuerySet:
        """Counts per (category, status)."""
        return self.values("category__slug", "status").annotate(count=Count("id")).order_by()

    def reported(self) -> PriorityQuerySet:
        """Priorities with a report no moderator has dealt with yet (a priority never
        reported has no report to be open: Exists, not a LEFT JOIN's NULL)."""
        reports = self.model._meta.get_field("reports").related_model
        return self.filter(
            Exists(reports.objects.filter(priority=OuterRef("pk"), resolved_at=None))
        )

    def with_open_reports(self) -> PriorityQuerySet:
        """Each priority with its open reports, oldest first, as ``open_reports`` (the
        reasons a moderator reads; the reporters are not named)."""
        reports = self.model._meta.get_field("reports").related_model
        return self.prefetch_related(
            models.Prefetch(
                "reports",
                queryset=reports.objects.filter(resolved_at=None).order_by("created_at", "pk"),
                to_attr="open_reports",
            )
        )

    def with_support_by(self, user) -> PriorityQuerySet:
        """Annotate ``supported_by_me``: whether this account supports the priority now."""
        if not user.is_authenticated:
            return self.annotate(supported_by_me=models.Value(False))
        from priorities.models import Support

        mine = Support.objects.filter(priority=OuterRef("pk"), user=user, withdrawn_at=None)
        return self.annotate(supported_by_me=Exists(mine))

    def with_lon_lat(self) -> PriorityQuerySet:
        """Annotate ``lon`` and ``lat`` (WGS 84) as plain numbers."""
        return self.annotate(**lon_lat(Transform("point", 4326)))

    def as_feature_rows(self, user) -> PriorityQuerySet:
        """Plain rows (dicts) with everything a list's GeoJSON Feature shows, in one query:
        the point as lon/lat, category and municipality by their keys, the areas as a JSON
        array (in Area's ordering), whether ``user`` supports it. No model instances:
        ``priority_feature`` turns a row into the Feature the serializer would give."""
        areas = RawSQL(
            """SELECT coalesce(json_agg(json_build_object('id', a.id, 'name', a.name,
                                                         'type', t.slug)
                                        ORDER BY t.slug, a.name, a.code), '[]')
                 FROM priorities_priority_areas pa
                 JOIN areas_area a ON a.id = pa.area_id
                 JOIN areas_areatype t ON t.id = a.type_id
                WHERE pa.priority_id = priorities_priority.id""",
            (),
            output_field=models.Field(),  # psycopg decodes json into lists and dicts
        )
        return (
            self.with_lon_lat()
            .with_support_by(user)
            .annotate(area_refs=areas)
            .values(
                "id",
                "reference",
                "title",
                "text",
                "category__slug",
                "status",
                "support_count",
                "supported_by_me",
                "municipality__code",
                "area_refs",
                "created_at",
                "first_answered_at",
                "lon",
                "lat",
            )
        )

    def with_api_point(self) -> PriorityQuerySet:
        """Annotate ``api_point``: the point in WGS 84 for the API and the map."""
        return self.annotate(api_point=Transform("point", 4326))

    def clusters(self, cell_metres: float) -> PriorityQuerySet:
        """One row per grid cell of this size (metres): ``count`` and the centre ``x``, ``y``
        (storage SRID) and ``lon``, ``lat`` (WGS 84). Grouping on integer cell keys is about
        twice as fast as on geometries."""
        x = models.Func("point", function="ST_X", output_field=models.FloatField())
        y = models.Func("point", function="ST_Y", output_field=models.FloatField())
        return (
            self.annotate(
                cx=models.Func(
                    x / cell_metres, function="floor", output_field=models.IntegerField()
                ),
                cy=models.Func(
                    y / cell_metres, function="floor", output_field=models.IntegerField()
                ),
            )
            .values("cx", "cy")
            .annotate(count=Count("id"), x=models.Avg(x), y=models.Avg(y))
            .annotate(**lon_lat_of(F("x"), F("y")))
            .order_by()
        )


class PublicPriorityManager(models.Manager.from_queryset(PriorityQuerySet)):
    """Only the priorities anyone may see."""

    def get_queryset(self) -> PriorityQuerySet:
        return super().get_queryset().public()


class PriorityMapCellQuerySet(models.QuerySet):
    def in_extent(
        self, level: int, extent: tuple[float, float, float, float]
    ) -> PriorityMapCellQuerySet:
        """Cells of one grid size touching an extent (xmin, ymin, xmax, ymax) in the storage SRID."""
        xmin, ymin, xmax, ymax = extent
        return self.filter(
            level=level,
            cx__range=(math.floor(xmin / level), math.floor(xmax / level)),
            cy__range=(math.floor(ymin / level), math.floor(ymax / level)),
        )

    def clusters(self) -> PriorityMapCellQuerySet:
        """One row per cell (over categories and statuses): ``total`` and the centre of mass
        as ``lon``, ``lat`` (WGS 84, transformed in SQL: PROJ in C, no geometry objects)."""
        return (
            self.values("cx", "cy")
            .annotate(total=Sum("count"), sx=Sum("sum_x"), sy=Sum("sum_y"))
            .filter(total__gt=0)
            .annotate(**lon_lat_of(F("sx") / F("total"), F("sy") / F("total")))
            .order_by()
        )


def median_of_histogram(pairs) -> float | None:
    """The median (as percentile_cont(0.5)) of values given as (value, how many) pairs."""
    pairs = sorted((value, n) for value, n in pairs if n > 0)
    total = sum(n for _value, n in pairs)
    if not total:
        return None
    wanted = ((total + 1) // 2, total // 2 + 1)  # 1-based ranks of the middle element(s)
    found, seen = [], 0
    for value, n in pairs:
        seen += n
        while len(found) < 2 and seen >= wanted[len(found)]:
            found.append(value)
    return (found[0] + found[1]) / 2


class _RollupQuerySet(models.QuerySet):
    def matching(
        self,
        municipality_id: int,
        area_ids=None,
        category_ids=None,
        status: str | None = None,
        area_type: str | None = None,
    ):
        """Rows of one municipality: of the areas ``area_ids``, of every area of the type
        ``area_type``, or else of the whole municipality; of the categories
        ``category_ids`` and of one status when given."""
        queryset = self.filter(municipality_id=municipality_id)
        if area_ids is not None:
            queryset = queryset.filter(area_id__in=list(area_ids))
        elif area_type is not None:
            queryset = queryset.filter(area__type__slug=area_type)
        else:
            queryset = queryset.filter(area__isnull=True)
        if category_ids is not None:
            queryset = queryset.filter(category_id__in=list(category_ids))
        if status:
            queryset = queryset.filter(status=status)
        return queryset


class PriorityAreaStatQuerySet(_RollupQuerySet):
    def answered(self, answered: bool | None):
        return self if answered is None else self.filter(answered=answered)

    # The aggregates are named apart from the columns they sum (Django refuses an
    # aggregate named like a column it aggregates) and renamed after.
    def totals(self) -> dict:
        """count, supports and answered over these rows."""
        row = self.aggregate(
            n=Coalesce(Sum("count"), 0),
            s=Coalesce(Sum("supports"), 0),
            a=Coalesce(Sum("count", filter=Q(answered=True)), 0),
        )
        return {"count": row["n"], "supports": row["s"], "answered": row["a"]}

    def per_area(self) -> list[dict]:
        """The totals per area: rows of area_id, count, supports, answered."""
        rows = (
            self.values("area_id")
            .annotate(
                n=Sum("count"),
                s=Sum("supports"),
                a=Coalesce(Sum("count", filter=Q(answered=True)), 0),
            )
            .filter(n__gt=0)
            .order_by()
        )
        return [
            {"area_id": r["area_id"], "count": r["n"], "supports": r["s"], "answered": r["a"]}
            for r in rows
        ]

    def by_category_and_status(self) -> list[dict]:
        """Counts per (category slug, status): rows of category__slug, status, count."""
        rows = (
            self.values("category__slug", "status")
            .annotate(n=Sum("count"))
            .filter(n__gt=0)
            .order_by()
        )
        return [
            {"category__slug": r["category__slug"], "status": r["status"], "count": r["n"]}
            for r in rows
        ]


class PriorityAreaMonthQuerySet(_RollupQuerySet):
    def by_month(self) -> list[dict]:
        """Counts per month, oldest first: rows of month, count."""
        rows = self.values("month").annotate(n=Sum("count")).filter(n__gt=0).order_by("month")
        return [{"month": r["month"], "count": r["n"]} for r in rows]


class PriorityUnansweredDayQuerySet(models.QuerySet):
    def waiting_since_before(self, municipality_id: int, area_ids, day: datetime.date) -> int:
        """Public priorities without an answer, created before ``day``, in these areas
        (``area_ids`` None: the whole municipality)."""
        rows = self.filter(municipality_id=municipality_id, day__lt=day)
        if area_ids is None:
            rows = rows.filter(area__isnull=True)
        else:
            rows = rows.filter(area_id__in=list(area_ids))
        return rows.aggregate(n=Coalesce(Sum("count"), 0))["n"]


class PriorityAnswerDaysQuerySet(_RollupQuerySet):
    def median(self) -> float | None:
        """Median whole days from creation to the first answer over these rows."""
        rows = self.values("days").annotate(n=Sum("count")).order_by().values_list("days", "n")
        return median_of_histogram(rows)

    def median_per_area(self) -> dict:
        """{area id: median days}."""
        histograms: dict = {}
        rows = self.values("area_id", "days").annotate(n=Sum("count")).order_by()
        for area_id, days, n in rows.values_list("area_id", "days", "n"):
            histograms.setdefault(area_id, []).append((days, n))
        return {area: median_of_histogram(pairs) for area, pairs in histograms.items()}
