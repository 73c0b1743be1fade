"""Meetings and the input gathered there in the API (GeoJSON Features)."""

from __future__ import annotations

import json

import django_filters
from django.contrib.gis.db.models.functions import Transform
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from accounts import idempotency
from accounts.notifications import site_url
from areas.geojson import geometry_from_geojson
from areas.models import AgeGroup, Area
from core.api import FeatureCollectionPagination
from core.fields import TextSerializerField
from meetings import services
from meetings.models import Meeting, MeetingInput
from priorities.api.serializers import AreaRefSerializer, StatusChangeSerializer
from priorities.services import ANSWER_ROLES, staff_role


@extend_schema_field({"type": "object", "description": "GeoJSON Point, WGS 84, longitude first"})
class ApiPointField(GeometryField):
    pass


@extend_schema_field(
    {"type": "object", "nullable": True, "description": "GeoJSON geometry, WGS 84"}
)
class ApiGeometryField(GeometryField):
    pass


class MeetingSerializer(GeoFeatureModelSerializer):
    place = ApiPointField(source="api_place", read_only=True, precision=6)
    type_display = serializers.CharField(source="get_type_display", read_only=True)
    municipality = serializers.SlugRelatedField(slug_field="code", read_only=True)
    case = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    areas = AreaRefSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()
    follow_url = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        geo_field = "place"
        fields = [
            "id",
            "type",
            "type_display",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "place_name",
            "municipality",
            "case",
            "areas",
            "organisers",
            "cancelled_at",
            "cancelled_reason",
            "url",
            "follow_url",
        ]

    def get_url(self, meeting) -> str:
        return site_url(meeting.get_absolute_url())

    def get_follow_url(self, meeting) -> str:
        return site_url(meeting.follow_url())


class PhotoSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField()
    alt_text = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()

    def get_url(self, photo) -> str:
        return site_url(reverse("meetings:photo", args=[photo.pk]))


class MeetingInputSerializer(GeoFeatureModelSerializer):
    geom = ApiGeometryField(source="api_geom", read_only=True, precision=7, allow_null=True)
    meeting = serializers.PrimaryKeyRelatedField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    areas = AreaRefSerializer(many=True, read_only=True)
    cases = serializers.SerializerMethodField()
    photos = PhotoSerializer(many=True, read_only=True)
    history = StatusChangeSerializer(source="status_changes", many=True, read_only=True)

    class Meta:
        model = MeetingInput
        geo_field = "geom"
        fields = [
            "id",
            "reference",
            "meeting",
            "title",
            "notes",
            "status",
            "status_display",
            "areas",
            "cases",
            "photos",
            "created_at",
            "history",
        ]

    def get_cases(self, record) -> list[str]:
        return [link.case_number for link in record.case_links.all()]


class MeetingInputCreateSerializer(serializers.Serializer):
    title = TextSerializerField(min_length=3, max_length=200)
    notes = TextSerializerField(multiline=True, min_length=10, max_length=20000)
    geometry = serializers.JSONField(
        required=False, allow_null=True, help_text="A GeoJSON geometry, WGS 84."
    )
    participants = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=services.MAX_PARTICIPANTS),
        required=False,
        help_text="Participants by age group: " + ", ".join(AgeGroup.values),
    )


class MeetingFilter(django_filters.FilterSet):
    municipality = django_filters.CharFilter(field_name="municipality__code")
    area = django_filters.NumberFilter(method="filter_area")
    # "from" is a Python keyword: the filter is added to the class namespace by name.
    locals()["from"] = django_filters.DateFilter(
        field_name="starts_at__date", lookup_expr="gte", label="Meetings starting on or after"
    )

    class Meta:
        model = Meeting
        fields = ["municipality", "area"]

    def filter_area(self, queryset, name, value):
        if not Area.objects.filter(pk=value).exists():
            raise ValidationError({"area": [_("There is no area %(id)s.") % {"id": value}]})
        return queryset.filter(areas=value)


class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Public meetings, workshops and walks (hidden ones left out; cancelled ones say so),
    soonest first; and the input gathered at each."""

    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    pagination_class = FeatureCollectionPagination
    lookup_value_regex = "[0-9]+"
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        return (
            Meeting.objects.public()
            .select_related("municipality", "case")
            .prefetch_related("areas__type")
            .annotate(api_place=Transform("place", 4326))
            .order_by("starts_at", "id")
        )

    def _inputs(self, meeting):
        return (
            MeetingInput.objects.filter(meeting=meeting)
            .prefetch_related("areas__type", "case_links", "photos", "status_changes")
            .annotate(api_geom=Transform("geom", 4326))
            .order_by("created_at", "id")
        )

    @extend_schema(
        methods=["GET"],
        responses={200: MeetingInputSerializer(many=True)},
        summary="The input gathered at a meeting",
    )
    @extend_schema(
        methods=["POST"],
        request=MeetingInputCreateSerializer,
        parameters=[idempotency.PARAMETER],
        responses={201: MeetingInputSerializer, **idempotency.RESPONSES},
        summary="Record input gathered at a meeting (planners)",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="input",
        url_name="input",
        filter_backends=[],
        pagination_class=None,
    )
    @idempotency.idempotent
    def input(self, request, *args, **kwargs):
        meeting = self.get_object()
        if request.method == "GET":
            serializer = MeetingInputSerializer(self._inputs(meeting), many=True)
            return Response(serializer.data)
        staff_role(request.user, meeting.municipality_id, ANSWER_ROLES)
        incoming = MeetingInputCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        geometry = None
        if data.get("geometry") is not None:
            geometry = geometry_from_geojson(json.dumps(data["geometry"]))
        record = services.meeting_input_record(
            actor=request.user,
            meeting=meeting,
            title=data["title"],
            notes=data["notes"],
            geometry=geometry,
            counts=data.get("participants") or {},
        )
        body = MeetingInputSerializer(self._inputs(meeting).get(pk=record.pk)).data
        return Response(
            body, status=status.HTTP_201_CREATED, headers={"Location": record.get_absolute_url()}
        )
