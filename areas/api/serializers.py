from rest_framework import serializers
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from areas.models import Area, AreaType


class AreaTypeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="The name in the request's language.")

    class Meta:
        model = AreaType
        fields = ["slug", "name", "name_nb", "name_nn", "name_en", "description"]


class AreaSerializer(GeoFeatureModelSerializer):
    """An area as a GeoJSON Feature (WGS 84, longitude first)."""

    type = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    municipality = serializers.SlugRelatedField(slug_field="code", read_only=True)
    geometry = GeometryField(source="api_geom", read_only=True, precision=6, allow_null=True)

    class Meta:
        model = Area
        geo_field = "geometry"
        fields = [
            "id",
            "name",
            "code",
            "type",
            "municipality",
            "parent",
            "valid_from",
            "valid_to",
            "source",
        ]
