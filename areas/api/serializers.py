from drf_spectacular.contrib.rest_framework_gis import (
    build_geo_container_schema,
    build_point_geo_schema,
    build_polygon_schema,
)
from drf_spectacular.plumbing import build_array_type
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from areas.models import Address, Area, AreaType
from areas.querysets import CoveringArea
from core.models import name_in_language


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


def covering_collection(rows: list[CoveringArea]) -> dict:
    """What ``AreaSerializer(areas, many=True).data`` gives for the areas of a point lookup
    without their geometry, built from plain rows: a lookup comes often, and DRF builds a
    serializer's fields anew on every request (tests/areas/test_api.py compares the two)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "id": row.id,
                "type": "Feature",
                "geometry": None,
                "properties": {
                    "name": row.name,
                    "code": row.code,
                    "type": row.type_slug,
                    "type_name": name_in_language(
                        row.type_name_nb, row.type_name_nn, row.type_name_en
                    ),
                    "municipality": row.municipality_code,
                    "parent": row.parent_id,
                    "valid_from": _iso_date(row.valid_from),
                    "valid_to": _iso_date(row.valid_to),
                    "source": row.source,
                },
            }
            for row in rows
        ],
    }


def _iso_date(value) -> str | None:
    """A date as DRF's DateField gives it (ISO 8601)."""
    return None if value is None else value.isoformat()


@extend_schema_field(build_point_geo_schema())
class ApiPointField(GeometryField):
    """The WGS 84 point annotated by the queryset (``api_point``), described as a Point."""


class AddressSerializer(GeoFeatureModelSerializer):
    """An address suggestion as a GeoJSON Feature (a point in WGS 84, longitude first)."""

    municipality = serializers.SlugRelatedField(slug_field="code", read_only=True)
    point = ApiPointField(source="api_point", read_only=True, precision=6)

    class Meta:
        model = Address
        geo_field = "point"
        fields = ["id", "text", "postcode", "post_town", "municipality"]
