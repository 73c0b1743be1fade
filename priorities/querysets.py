"""Reads on residents' input. Each method filters ``self`` and returns a QuerySet."""

from __future__ import annotations

import datetime
import math

from django.contrib.gis.db.models import Collect
from django.contrib.gis.db.models.functions import Centroid, SnapToGrid, Transform
from django.contrib.gis.geos import Point, Polygon
from django.contrib.gis.measure import D
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Sum


class CategoryQuerySet(models.QuerySet):
    def for_municipality(self, code: str | None) -> CategoryQuerySet:
        """The default categories plus the municipality's own."""
        return self.filter(Q(municipality__isnull=True) | Q(municipality__code=code))


class PriorityQuerySet(models.QuerySet):
    def public(self) -> PriorityQuerySet:
        """Priorities anyone may see (not hidden by a moderator or by reports)."""
        return self.filter(visibility="public")

    def in_municipality(self, code: str) -> PriorityQuerySet:
        """Priorities in the municipality with this kommunenummer."""
        return self.filter(municipality__code=code)

    def in_area(self, area) -> PriorityQuerySet:
        """Priorities assigned to the area (at creation, or when areas were re-imported)."""
        return self.filter(areas=area)

    def in_area_type(self, slug: str) -> PriorityQuerySet:
        """Priorities that fall in some area of the type."""
        return self.filter(areas__type__slug=slug).distinct()

    def in_bbox(self, bbox: Polygon) -> PriorityQuerySet:
        """Priorities inside a polygon such as a bounding box (any SRID; uses the spatial index)."""
        return self.filter(point__coveredby=bbox)

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

    def answered(self) -> PriorityQuerySet:
        """Priorities with at least one public answer."""
        return self.filter(first_answered_at__isnull=False)

    def with_support_by(self, user) -> PriorityQuerySet:
        """Annotate ``supported_by_me``: whether this account supports the priority now."""
        if not user.is_authenticated:
            return self.annotate(supported_by_me=models.Value(False))
        from priorities.models import Support

        mine = Support.objects.filter(priority=OuterRef("pk"), user=user, withdrawn_at=None)
        return self.annotate(supported_by_me=Exists(mine))

    def with_api_point(self) -> PriorityQuerySet:
        """Annotate ``api_point``: the point in WGS 84 for the API and the map."""
        return self.annotate(api_point=Transform("point", 4326))

    def clusters(self, cell_metres: float) -> PriorityQuerySet:
        """One row per grid cell of this size (metres): ``count`` and ``centre`` (WGS 84)."""
        return (
            self.annotate(cell=SnapToGrid("point", cell_metres))
            .values("cell")
            .annotate(count=Count("id"), centre=Transform(Centroid(Collect("point")), 4326))
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
        """One row per cell (over categories and statuses): ``count``, ``x`` and ``y`` (centre)."""
        return (
            self.values("cx", "cy")
            .annotate(total=Sum("count"), sx=Sum("sum_x"), sy=Sum("sum_y"))
            .filter(total__gt=0)
            .order_by()
        )
