from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, viewsets
from rest_framework.response import Response

from areas.api.filters import AddressSearchBackend, AreaFilter, AreaGeometryBackend
from areas.api.serializers import (
    AddressSerializer,
    AreaSerializer,
    AreaTypeSerializer,
    covering_collection,
)
from areas.models import Address, Area, AreaType
from areas.querysets import MAX_ADDRESS_SUGGESTIONS, covering_rows
from core.api import FeatureCollectionPagination

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


@extend_schema_view(
    retrieve=extend_schema(parameters=AreaGeometryBackend.PARAMETERS),
)
class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    """Areas in force as GeoJSON Features; ``?contains=LON,LAT`` finds the areas under a point."""

    serializer_class = AreaSerializer
    filterset_class = AreaFilter
    # The geometry's parameters first: their 400 comes before the filters' (as it always has).
    filter_backends = [AreaGeometryBackend, DjangoFilterBackend]
    pagination_class = FeatureCollectionPagination

    def list(self, request, *args, **kwargs):
        params = request.query_params
        if "contains" in params and params.keys() <= POINT_LOOKUP_PARAMETERS:
            # The same checks as the general path below, in the same order (the same 400).
            wanted, _ = AreaGeometryBackend.parse(request)
            if not wanted:
                point = AreaFilter.contains_point(params)
                if point is not None:
                    self.paginate_queryset(None)  # checks page and page_size only
                    return Response(covering_collection(covering_rows(point)))
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        return Area.objects.in_force().select_related("type", "municipality")

    def paginate_queryset(self, queryset):
        # A point lookup gives at most one area per type: no pages, and no COUNT query.
        # Blank (as the filter strips it) is no lookup: every area, so pages.
        if (self.request.query_params.get("contains") or "").strip():
            # The page parameters are still checked: a bad one is a 400 as on any list.
            self.paginator.get_page_number(self.request, self.paginator)
            self.paginator.get_page_size(self.request)
            return None
        return super().paginate_queryset(queryset)


class AddressSearchView(generics.ListAPIView):
    """Addresses of the address register suggested for what has been typed (``q``), best
    first (those starting with it, then those spelt like it), at most 10, as a GeoJSON
    FeatureCollection of points (EPSG:4326, longitude first). Not paginated."""

    # The address field's suggestions on the pin form and the home page. Its rate limit is
    # set where the URL is (nabolaget/urls.py): the limits are the accounts app's, a layer
    # above this one.

    serializer_class = AddressSerializer
    filter_backends = [AddressSearchBackend]
    pagination_class = None

    def get_queryset(self):
        return Address.objects.select_related("municipality").with_api_point()

    def list(self, request, *args, **kwargs):
        addresses = self.filter_queryset(self.get_queryset())[:MAX_ADDRESS_SUGGESTIONS]
        return Response(self.get_serializer(addresses, many=True).data)
