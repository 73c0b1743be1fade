from django.contrib.gis.db.models import GeometryField
from django.db.models import Value
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError

from areas.api.filters import AreaFilter
from areas.api.serializers import AreaSerializer, AreaTypeSerializer
from areas.models import Area, AreaType
from core.api import (
    FeatureCollectionPagination,
    refuse_repeated_parameters,
)

MAX_SIMPLIFY_METRES = 10_000


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

    def get_queryset(self):
        refuse_repeated_parameters(self.request, ["geometry", "simplify", "contains"])
        queryset = Area.objects.in_force().select_related("type", "municipality")
        simplify = self._simplify()  # checked even when the geometry is left out
        if not self._wants_geometry():
            return queryset.defer("geom").annotate(
                api_geom=Value(None, output_field=GeometryField(srid=4326))
            )
        return queryset.with_api_geometry(simplify)

    def paginate_queryset(self, queryset):
        # A point lookup gives at most one area per type: no pages, and no COUNT query.
        if self.request.query_params.get("contains"):
            # The page parameters are still checked: a bad one is a 400 as on any list.
            self.paginator.get_page_number(self.request, self.paginator)
            self.paginator.get_page_size(self.request)
            return None
        return super().paginate_queryset(queryset)

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
