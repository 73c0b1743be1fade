"""The priorities API: thin views over the querysets and services."""

from __future__ import annotations

import math
from collections import Counter

from django.contrib.gis.geos import Polygon
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from accounts import idempotency
from accounts.limits import throttle
from areas.geo import storage_extent
from areas.models import Area, AreaType
from core.api import StrictOrderingFilter
from core.db import BadCursor, estimate_count, keyset_page, sort_beats_walk
from priorities import services
from priorities.api.serializers import (
    AreaStatsSerializer,
    CategorySerializer,
    PriorityAreaStatsSerializer,
    PriorityCreateSerializer,
    PriorityDetailSerializer,
    PrioritySerializer,
    StatusChangeCreateSerializer,
    StatusChangeSerializer,
    SupportSerializer,
    priority_feature,
)
from priorities.filters import PriorityFilter, parse_bbox
from priorities.models import MAP_CELL_LEVELS, Category, Priority, PriorityMapCell

# Below this zoom level (or above MAP_POINT_LIMIT points) the map gets clusters.
MAP_CLUSTER_BELOW_ZOOM = 15
MAP_POINT_LIMIT = 1000
CLUSTER_PIXELS = 64
# Map requests with only these parameters can be answered from the rollup.
ROLLUP_PARAMETERS = {"bbox", "zoom", "municipality", "category", "status"}


class KeepFilterSet(DjangoFilterBackend):
    """The FilterSet backend, leaving the FilterSet on the view (for its counts)."""

    def get_filterset(self, request, queryset, view):
        view.filterset = super().get_filterset(request, queryset, view)
        return view.filterset


class PriorityPagination(BasePagination):
    """Keyset pagination as a GeoJSON FeatureCollection: as fast on page 1,000 as on page 1,
    ties broken by id (no skipped or repeated rows), and an estimated total instead of an
    exact count of a huge table. ``after``/``before`` hold the cursor of the next/previous
    link."""

    page_size = 50
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        params = request.query_params
        size = params.get("page_size") or str(self.page_size)
        if not size.isdigit() or not 1 <= int(size) <= self.max_page_size:
            raise ValidationError(
                {
                    "page_size": [
                        _("The page size must be between 1 and %(max)s.")
                        % {"max": self.max_page_size}
                    ]
                }
            )
        order = (params.get("ordering") or "-created_at").split(",")[0].strip()
        field, descending = order.lstrip("-"), order.startswith("-")
        # The view's FilterSet counts from the rollup when it can (KeepFilterSet).
        filterset = getattr(view, "filterset", None)
        self.estimate = count, exact = (
            filterset.count() if filterset is not None else estimate_count(queryset)
        )
        try:
            rows, self.next_cursor, self.previous_cursor = keyset_page(
                queryset,
                field=field,
                descending=descending,
                size=int(size),
                after=params.get("after"),
                before=params.get("before"),
                few=sort_beats_walk(queryset, count, exact, int(size)),
            )
        except BadCursor as exc:
            raise ValidationError({"after": [_("This page link is not valid.")]}) from exc
        return rows

    def _link(self, key: str, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), "after")
        url = remove_query_param(url, "before")
        return replace_query_param(url, key, cursor)

    def get_paginated_response(self, data):
        count, exact = self.estimate
        return Response(
            {
                "type": "FeatureCollection",
                "count": count,
                "count_is_estimate": not exact,
                "next": self._link("after", self.next_cursor),
                "previous": self._link("before", self.previous_cursor),
                "features": data["features"],
            }
        )

    def get_schema_operation_parameters(self, view):
        text = {"type": "string"}
        return [
            {
                "name": "after",
                "in": "query",
                "required": False,
                "schema": text,
                "description": "Cursor from a 'next' link.",
            },
            {
                "name": "before",
                "in": "query",
                "required": False,
                "schema": text,
                "description": "Cursor from a 'previous' link.",
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
                "description": f"Rows per page, 1–{self.max_page_size}.",
            },
        ]

    def get_paginated_response_schema(self, schema):
        return {
            "allOf": [
                schema,
                {
                    "type": "object",
                    "properties": {
                        "count": {"type": "integer"},
                        "count_is_estimate": {"type": "boolean"},
                        "next": {"type": "string", "nullable": True, "format": "uri"},
                        "previous": {"type": "string", "nullable": True, "format": "uri"},
                    },
                },
            ]
        }


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """Categories of input, named in the request's language."""

    queryset = Category.objects.select_related("municipality")
    serializer_class = CategorySerializer
    lookup_field = "slug"
    pagination_class = None
    filter_backends = []


class PriorityViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Residents' priorities (public ones), as GeoJSON. POST a Feature with a Point to pin one."""

    filterset_class = PriorityFilter
    filter_backends = [KeepFilterSet, StrictOrderingFilter]
    ordering_fields = ["created_at", "support_count"]
    ordering = ["-created_at", "-id"]
    pagination_class = PriorityPagination
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        areas = Area.objects.select_related("type").defer("geom")
        queryset = (
            Priority.public_objects.select_related("category", "municipality")
            .defer("search_vector")
            .prefetch_related(Prefetch("areas", queryset=areas))
            .with_api_point()
            .with_support_by(self.request.user)
        )
        if self.action in ("retrieve", "create"):
            queryset = queryset.prefetch_related("status_changes", "replies")
        return queryset

    def get_serializer_class(self):
        return PriorityDetailSerializer if self.action == "retrieve" else PrioritySerializer

    def list(self, request, *args, **kwargs):
        """Public priorities as a GeoJSON FeatureCollection, a keyset page at a time."""
        queryset = self.filter_queryset(Priority.public_objects.all())
        rows = self.paginate_queryset(queryset.as_feature_rows(request.user))
        return self.get_paginated_response({"features": [priority_feature(r) for r in rows]})

    def get_throttles(self):
        scopes = {"create": "priority_create", "support": "support"}
        if self.action in scopes and self.request.method in ("POST", "DELETE"):
            scope = scopes[self.action]
            return [throttle(scope, "user")(), throttle(scope, "address")()]
        return []

    @extend_schema(
        request=PriorityCreateSerializer,
        parameters=[idempotency.PARAMETER],
        responses={201: PriorityDetailSerializer, **idempotency.RESPONSES},
    )
    @idempotency.idempotent
    def create(self, request, *args, **kwargs):
        incoming = PriorityCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        properties = incoming.validated_data["properties"]
        # Which category of the slug is the service's choice (the point's municipality's
        # own before the default); a slug no municipality knows is refused here.
        if not Category.objects.filter(slug=properties["category"]).exists():
            raise ValidationError(
                {
                    "properties": {
                        "category": [
                            _("Unknown category '%(slug)s'.") % {"slug": properties["category"]}
                        ]
                    }
                }
            )
        point = incoming.validated_data["geometry"]
        priority = services.priority_create(
            author=request.user,
            point=point,
            category=properties["category"],
            title=properties["title"],
            text=properties["text"],
        )
        created = self.get_queryset().get(pk=priority.pk)
        body = PriorityDetailSerializer(created, context=self.get_serializer_context()).data
        return Response(
            body, status=status.HTTP_201_CREATED, headers={"Location": priority.get_absolute_url()}
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("area_type", OpenApiTypes.STR, required=True, description="slug")
        ],
        responses={200: PriorityAreaStatsSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], url_path="by-area", pagination_class=None)
    def by_area(self, request):
        """Counts per area of one type for the current filter (the planner's choropleth)."""
        area_type = request.query_params.get("area_type")
        if not area_type:
            raise ValidationError({"area_type": [_("Choose an area type.")]})
        if not AreaType.objects.filter(slug=area_type).exists():
            raise ValidationError(
                {"area_type": [_("Unknown area type '%(slug)s'.") % {"slug": area_type}]}
            )
        # stats_by_area already joins the areas of the type: filtering by it again as well
        # made PostgreSQL rebuild the whole link table per group (89 s on 1.3M priorities).
        params = request.query_params.copy()
        params.pop("area_type")
        filterset = PriorityFilter(params, queryset=Priority.public_objects.all(), request=request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        rows = filterset.per_area(area_type)
        return Response(PriorityAreaStatsSerializer(rows, many=True).data)

    @extend_schema(methods=["delete"], request=None, responses={200: SupportSerializer})
    @extend_schema(
        methods=["post"],
        request=None,
        parameters=[idempotency.PARAMETER],
        responses={200: SupportSerializer, **idempotency.RESPONSES},
    )
    @action(
        detail=True, methods=["post", "delete"], permission_classes=[permissions.IsAuthenticated]
    )
    @idempotency.idempotent
    def support(self, request, pk=None):
        """POST supports the priority; DELETE withdraws the support."""
        priority = self.get_object()
        if request.method == "POST":
            services.support_add(priority=priority, user=request.user)
        else:
            services.support_withdraw(priority=priority, user=request.user)
        priority.refresh_from_db(fields=["support_count"])
        return Response(
            {"support_count": priority.support_count, "supported_by_me": request.method == "POST"}
        )

    @extend_schema(request=StatusChangeCreateSerializer, responses={201: StatusChangeSerializer})
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def status(self, request, pk=None):
        """Staff (planners) give the priority a new status with a public answer."""
        # 404, not 403, for a priority the account may not even see.
        priority = get_object_or_404(
            Priority.all_objects.visible_to(request.user, services.HIDDEN_INPUT_ROLES), pk=pk
        )
        incoming = StatusChangeCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        (change,) = services.input_set_status(
            records=[priority],
            actor=request.user,
            **incoming.validated_data,
        )
        return Response(StatusChangeSerializer(change).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "bbox", OpenApiTypes.STR, required=True, description="west,south,east,north"
            ),
            OpenApiParameter(
                "zoom",
                {"type": "integer", "minimum": 0, "maximum": 22},
                required=True,
                description="Map zoom, 0–22.",
            ),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def map(self, request):
        """What the map shows in a viewport: clusters when zoomed out, points when zoomed in."""
        bbox = parse_bbox(request.query_params.get("bbox", ""))
        zoom = _zoom(request.query_params.get("zoom"))
        # The FilterSet applies bbox (and every other filter) exactly as the list does.
        queryset = self.filter_queryset(Priority.public_objects.all())
        # Asking whether there is a point past the limit reads at most MAP_POINT_LIMIT + 1
        # index entries; a viewport over the limit then gets clusters without every point
        # in it being sorted by support first (100+ ms in a dense town at 1M priorities).
        if zoom >= MAP_CLUSTER_BELOW_ZOOM and not queryset.order_by()[MAP_POINT_LIMIT:].exists():
            points = list(
                queryset.with_lon_lat()
                .values(
                    "id",
                    "title",
                    "status",
                    "support_count",
                    "lon",
                    "lat",
                    "category__slug",
                    "category__colour",
                )
                .order_by("-support_count", "-id")[: MAP_POINT_LIMIT + 1]
            )
            if len(points) <= MAP_POINT_LIMIT:  # a point may have come in meanwhile
                return Response(_point_collection(points))
        cell = _cell_metres(zoom, bbox)
        level = _rollup_level(cell)
        if level and set(request.query_params) <= ROLLUP_PARAMETERS:
            return Response(self._rollup_clusters(bbox, level))
        return Response(_cluster_collection(queryset.clusters(cell), cell))

    def _rollup_clusters(self, bbox: Polygon, level: int) -> dict:
        """Clusters from the pre-aggregated grid (filters: municipality, category, status)."""
        params = self.request.query_params
        cells = PriorityMapCell.objects.in_extent(level, storage_extent(bbox))
        if "municipality" in params:
            cells = cells.filter(municipality__code=params["municipality"])
        if "category" in params:
            cells = cells.filter(category__slug=params["category"])
        if "status" in params:
            cells = cells.filter(status=params["status"])
        features = [
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(row["lon"], 6), round(row["lat"], 6)],
                },
                "properties": {"cluster": True, "count": row["total"]},
            }
            for row in cells.clusters()
        ]
        return {"type": "FeatureCollection", "cell_metres": level, "features": features}


def _rollup_level(cell_metres: float) -> int | None:
    """The coarsest rollup grid not much coarser than the wanted cluster size, if any."""
    fitting = [level for level in MAP_CELL_LEVELS if level <= cell_metres * 1.5]
    return max(fitting) if fitting else None


def _zoom(value) -> int:
    if value is None or not value.isdigit() or not 0 <= int(value) <= 22:
        raise ValidationError({"zoom": [_("The zoom level is a whole number from 0 to 22.")]})
    return int(value)


def _cell_metres(zoom: int, bbox: Polygon) -> float:
    """The ground size of CLUSTER_PIXELS screen pixels at this zoom and latitude."""
    latitude = math.radians(bbox.centroid.y)
    metres_per_pixel = 156_543.034 * math.cos(latitude) / (2**zoom)
    return max(metres_per_pixel * CLUSTER_PIXELS, 1.0)


def _point_collection(points: list[dict]) -> dict:
    """Points as plain rows (no model instances, no geometry objects): a map asks often."""
    url = reverse("priorities:detail", args=[0])[:-2]  # "/priorities/" + id + "/"
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": p["id"],
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(p["lon"], 7), round(p["lat"], 7)],
                },
                "properties": {
                    "title": p["title"],
                    "category": p["category__slug"],
                    "colour": p["category__colour"],
                    "status": p["status"],
                    "support_count": p["support_count"],
                    "url": f"{url}{p['id']}/",
                },
            }
            for p in points
        ],
    }


def _cluster_collection(rows, cell: float) -> dict:
    return {
        "type": "FeatureCollection",
        "cell_metres": round(cell, 1),
        "features": [
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(row["lon"], 6), round(row["lat"], 6)],
                },
                "properties": {"cluster": True, "count": row["count"]},
            }
            for row in rows
        ],
    }


STATS_FILTERS = ["category", "status", "since", "until", "q", "min_support", "answered", "case"]


class AreaStatsView(APIView):
    """``/areas/{id}/stats/``: counts of public priorities for one area and its sub-areas."""

    @extend_schema(
        operation_id="areas_stats_retrieve",
        parameters=[OpenApiParameter(name, OpenApiTypes.STR) for name in STATS_FILTERS],
        responses={200: AreaStatsSerializer},
    )
    def get(self, request, pk: int):
        """Counts for one area and its sub-areas: totals, by category and by status.

        Takes the same filters as the priority list (category, status, since, until, q, …).
        """
        area = get_object_or_404(Area.objects.defer("geom"), pk=pk)
        priorities = PriorityFilter(
            request.query_params, queryset=Priority.public_objects.all(), request=request
        )
        if not priorities.is_valid():
            raise ValidationError(priorities.errors)
        by_category, by_status = Counter(), Counter()
        for row in priorities.by_category_and_status(area):
            by_category[row["category__slug"]] += row["count"]
            by_status[row["status"]] += row["count"]
        return Response(
            AreaStatsSerializer(
                {
                    "area": area.pk,
                    "totals": priorities.totals(area),
                    "by_category": [
                        {"category__slug": slug, "count": n} for slug, n in by_category.items()
                    ],
                    "by_status": [
                        {"status": status, "count": n} for status, n in by_status.items()
                    ],
                }
            ).data
        )
