from django.contrib.gis.db.models import GeometryField
from django.db.models import Value
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from areas.api.filters import AreaFilter
from areas.api.serializers import AreaSerializer, AreaTypeSerializer, covering_collection
from areas.models import Area, AreaType
from areas.querysets import covering_rows
from core.api import (
    FeatureCollectionPagination,
    refuse_repeated_parameters,
)

MAX_SIMPLIFY_METRES = 10_000
# A point lookup (?contains=) with no other parameters than these, and without geometry,
# is answered from one prepared query (areas.querysets.covering_rows).
POINT_LOOKUP_PARAMETERS = {"contains", "geometry", "page", "page_size"}


class AreaTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """Area types: kommune, skolekrets, grend …"""

    queryset = AreaType.objects.all()
    serializer_class = AreaTypeSerializer
    lookup_field = "slug"
    pagination_class = None
    filter_backends = []


GEOMETRY_PARAMETERS = [
    OpenApiParameter(
        "simplify",
        {"type": "number", "minimum": 0, "maximum": MAX_SIMPLIFY_METRES},
        description=f"Simplify the geometry to this tolerance in metres (0–{MAX_SIMPLIFY_METRES}).",
    ),
    OpenApiParameter(
        "geometry",
        OpenApiTypes.BOOL,
        description="false leaves the geometry out (null), for fast lookups.",
    ),
]


@extend_schema_view(
    list=extend_schema(parameters=GEOMETRY_PARAMETERS),
    retrieve=extend_schema(parameters=GEOMETRY_PARAMETERS),
)
class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    """Areas in force as GeoJSON Features; ``?contains=LON,LAT`` finds the areas under a point."""

    serializer_class = AreaSerializer
    filterset_class = AreaFilter
    pagination_class = FeatureCollectionPagination

    def list(self, request, *args, **kwargs):
        params = request.query_params
        if "contains" in params and params.keys() <= POINT_LOOKUP_PARAMETERS:
            # The same checks as the general path below, in the same order (the same 400).
            self._check_parameters()
            if not self._wants_geometry():
                point = AreaFilter.contains_point(params)
                if point is not None:
                    self.paginate_queryset(None)  # checks page and page_size only
                    return Response(covering_collection(covering_rows(point)))
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        queryset = Area.objects.in_force().select_related("type", "municipality")
        simplify = self._check_parameters()
        if not self._wants_geometry():
            return queryset.defer("geom").annotate(
                api_geom=Value(None, output_field=GeometryField(srid=4326))
            )
        return queryset.with_api_geometry(simplify)

    def paginate_queryset(self, queryset):
        # A point lookup gives at most one area per type: no pages, and no COUNT query.
        # Blank (as the filter strips it) is no lookup: every area, so pages.
        if (self.request.query_params.get("contains") or "").strip():
            # The page parameters are still checked: a bad one is a 400 as on any list.
            self.paginator.get_page_number(self.request, self.paginator)
            self.paginator.get_page_size(self.request)
            return None
        return super().paginate_queryset(queryset)

    def _check_parameters(self) -> float | None:
        """A 400 for a repeated or bad parameter of the geometry; the simplification."""
        refuse_repeated_parameters(self.request, ["geometry", "simplify", "contains"])
        return self._simplify()  # checked even when the geometry is left out

    def _wants_geometry(self) -> bool:
        value = (self.request.query_params.get("geometry") or "true").lower()
        if value not in {"true", "false", "1", "0"}:
            raise ValidationError({"geometry": [_("Use true or false.")]})
        return value in {"true", "1"}

    def _simplify(self) -> float | None:
        value = self.request.query_params.get("simplify")
        if value in (None, ""):
            return None
        try:
            metres = float(value)
        except ValueError as exc:
            raise ValidationError({"simplify": [_("Give a tolerance in metres.")]}) from exc
        if not 0 <= metres <= MAX_SIMPLIFY_METRES:
            raise ValidationError(
                {
                    "simplify": [
                        _("The tolerance must be between 0 and %(max)s metres.")
                        % {"max": MAX_SIMPLIFY_METRES}
                    ]
                }
            )
        return metres or None
