"""Priorities as GeoJSON (WGS 84, longitude first), and the GeoJSON Feature a resident posts."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from accounts.models import Role
from areas.geojson import geometry_from_geojson
from core.fields import TextSerializerField
from priorities.api.replies import RepliesField
from priorities.models import Category, Priority, Status

MAX_TITLE = 120
MAX_TEXT = 2000
POINT_PRECISION = 7  # decimals of a degree: about a centimetre


class CategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="The name in the request's language.")
    # None for the categories every municipality shares.
    municipality = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Category
        fields = ["slug", "name", "name_nb", "name_nn", "name_en", "colour", "municipality"]


class StatusChangeSerializer(serializers.Serializer):
    """A public step of the feedback loop (of any kind of input): the answering role, never
    the person."""

    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    public_text = serializers.CharField(read_only=True)
    case_number = serializers.CharField(read_only=True)
    answered_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)

    def get_answered_by(self, change) -> str:
        return str(Role(change.actor_role).label) if change.actor_role in Role.values else ""


class AreaRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    type = serializers.CharField(source="type.slug")


@extend_schema_field({"type": "object", "description": "GeoJSON Point, WGS 84, longitude first"})
class ApiPointField(GeometryField):
    """The WGS 84 point annotated by the queryset (``api_point``)."""


class PrioritySerializer(GeoFeatureModelSerializer):
    """A priority as a GeoJSON Feature. Never carries the author's name or e-mail."""

    point = ApiPointField(source="api_point", read_only=True, precision=POINT_PRECISION)
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    municipality = serializers.SlugRelatedField(slug_field="code", read_only=True)
    areas = AreaRefSerializer(many=True, read_only=True)
    supported_by_me = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Priority
        geo_field = "point"
        fields = [
            "id",
            "reference",
            "title",
            "text",
            "category",
            "status",
            "status_display",
            "support_count",
            "supported_by_me",
            "municipality",
            "areas",
            "created_at",
            "first_answered_at",
        ]


class PriorityDetailSerializer(PrioritySerializer):
    history = StatusChangeSerializer(source="status_changes", many=True, read_only=True)
    replies = RepliesField(help_text="Elected members' public replies (their own view).")

    class Meta(PrioritySerializer.Meta):
        fields = [*PrioritySerializer.Meta.fields, "history", "replies"]


POINT_SCHEMA = {
    "type": "object",
    "description": "GeoJSON Point, WGS 84, longitude first (RFC 7946)",
    "properties": {
        "type": {"type": "string", "enum": ["Point"]},
        "coordinates": {
            "type": "array",
            "items": {"type": "number"},
            "minItems": 2,
            "maxItems": 2,
        },
    },
    "required": ["type", "coordinates"],
}


@extend_schema_field(POINT_SCHEMA)
class GeoJSONPointField(serializers.JSONField):
    """A GeoJSON Point read by the same reader as every other drawn or uploaded place."""

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        try:
            # allow_nan: a number too large for a float (1e999) arrives as infinity and is
            # refused by the reader with its own message.
            geometry = geometry_from_geojson(json.dumps(data), field="geometry")
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict["geometry"]) from exc
        if geometry.geom_type != "Point":
            raise serializers.ValidationError(
                _("A priority is a single place: the geometry must be a Point, not %(type)s.")
                % {"type": geometry.geom_type}
            )
        return geometry


class PriorityPropertiesSerializer(serializers.Serializer):
    category = serializers.SlugField(max_length=50)
    title = TextSerializerField(min_length=3, max_length=MAX_TITLE)
    text = TextSerializerField(multiline=True, min_length=10, max_length=MAX_TEXT)


class PriorityCreateSerializer(serializers.Serializer):
    """What a resident posts: a GeoJSON Feature with a Point and the priority's properties."""

    type = serializers.ChoiceField(choices=["Feature"])
    geometry = GeoJSONPointField()
    properties = PriorityPropertiesSerializer()


class SupportSerializer(serializers.Serializer):
    support_count = serializers.IntegerField(read_only=True)
    supported_by_me = serializers.BooleanField(read_only=True)


class StatusChangeCreateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.answers())
    public_text = TextSerializerField(multiline=True, min_length=5, max_length=4000)
    case_number = TextSerializerField(required=False, allow_blank=True, max_length=20)


class PriorityStatsSerializer(serializers.Serializer):
    """Totals for a set of priorities: the feedback loop's health at a glance."""

    count = serializers.IntegerField()
    supports = serializers.IntegerField()
    answered = serializers.IntegerField()
    share_answered = serializers.SerializerMethodField()
    median_days_to_first_answer = serializers.FloatField(source="median_days", allow_null=True)

    def get_share_answered(self, row) -> float | None:
        return round(row["answered"] / row["count"], 3) if row["count"] else None


class PriorityAreaStatsSerializer(PriorityStatsSerializer):
    area = serializers.IntegerField(source="area_id")


_DATETIME = serializers.DateTimeField()


def priority_feature(row: dict) -> dict:
    """A row of ``PriorityQuerySet.as_feature_rows`` as the Feature ``PrioritySerializer``
    gives for the same priority (a test holds the two equal), without building model
    instances and serializer fields per row: the API's lists are read far more often than
    they change, and this is most of their time."""
    return {
        "id": row["id"],
        "type": "Feature",
        "geometry": {
            "type": "Point",
            "coordinates": [round(row["lon"], POINT_PRECISION), round(row["lat"], POINT_PRECISION)],
        },
        "properties": {
            "reference": row["reference"],
            "title": row["title"],
            "text": row["text"],
            "category": row["category__slug"],
            "status": row["status"],
            "status_display": str(Status(row["status"]).label),
            "support_count": row["support_count"],
            "supported_by_me": row["supported_by_me"],
            "municipality": row["municipality__code"],
            "areas": row["area_refs"],
            "created_at": _DATETIME.to_representation(row["created_at"]),
            "first_answered_at": (
                _DATETIME.to_representation(row["first_answered_at"])
                if row["first_answered_at"]
                else None
            ),
        },
    }


class CountRowSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class CategoryCountSerializer(CountRowSerializer):
    category = serializers.CharField(source="category__slug")


class StatusCountSerializer(CountRowSerializer):
    status = serializers.CharField()


class AreaStatsSerializer(serializers.Serializer):
    """Counts of public priorities in an area (and its sub-areas) for a filter."""

    area = serializers.IntegerField()
    totals = PriorityStatsSerializer()
    by_category = CategoryCountSerializer(many=True)
    by_status = StatusCountSerializer(many=True)
