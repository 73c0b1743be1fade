from drf_spectacular.contrib.rest_framework_gis import (
    build_geo_container_schema,
    build_polygon_schema,
)
from drf_spectacular.plumbing import build_array_type
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from areas.models import Area, AreaType


class AreaTypeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="The name in the request's language.")

    class Meta:
        model = AreaType
        fields = ["slug", "name", "name_nb", "name_nn", "name_en", "description"]


@extend_schema_field(
    {
        **build_geo_container_schema("MultiPolygon", build_array_type(build_polygon_schema())),
        "nullable": True,  # ?geometry=false leaves it out
    }
)
class ApiMultiPolygonField(GeometryField):
    """The WGS 84 geometry annotated by the queryset (``api_geom``), described as MultiPolygon."""


class AreaSerializer(GeoFeatureModelSerializer):
    """An area as a GeoJSON Feature (WGS 84, longitude first)."""

    type = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    type_name = serializers.CharField(source="type.name", read_only=True)
    municipality = serializers.SlugRelatedField(slug_field="code", read_only=True)
    # geo_field names the model field (so the OpenAPI schema knows it is a MultiPolygon);
    # the value comes from the WGS 84 annotation made by the view's queryset.
    geom = ApiMultiPolygonField(source="api_geom", read_only=True, precision=6, allow_null=True)

    class Meta:
        model = Area
        geo_field = "geom"
        fields = [
            "id",
            "name",
            "code",
            "type",
            "type_name",
            "municipality",
            "parent",
            "valid_from",
            "valid_to",
            "source",
        ]
