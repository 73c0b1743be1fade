"""Councils and their submissions in the API (GeoJSON where there is a geometry)."""

from __future__ import annotations

import json

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from accounts import idempotency
from areas.geojson import geometry_from_geojson
from areas.models import Area
from cases.models import Case
from core.api import FeatureCollectionPagination
from core.fields import TextSerializerField
from councils import services as council_services
from councils.models import Consultation, Council, Submission, SubmissionKind
from priorities.api.replies import RepliesField
from priorities.api.serializers import AreaRefSerializer, StatusChangeSerializer
from priorities.models import Status, case_number_validator


class CouncilSerializer(serializers.ModelSerializer):
    kind = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    municipality = serializers.SlugRelatedField(slug_field="code", read_only=True)
    areas = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Council
        fields = [
            "id",
            "name",
            "kind",
            "municipality",
            "areas",
            "is_formal",
            "organisation_number",
            "description",
        ]


class CouncilViewSet(viewsets.ReadOnlyModelViewSet):
    """Local councils: grendeutval, youth councils, neighbourhood councils …"""

    queryset = Council.objects.select_related("kind", "municipality").prefetch_related("areas")
    serializer_class = CouncilSerializer
    pagination_class = None
    filter_backends = []


@extend_schema_field(
    {"type": "object", "nullable": True, "description": "GeoJSON geometry, WGS 84"}
)
class ApiGeometryField(GeometryField):
    pass


class SubmissionSerializer(GeoFeatureModelSerializer):
    geom = ApiGeometryField(source="api_geom", read_only=True, precision=7, allow_null=True)
    council = serializers.PrimaryKeyRelatedField(read_only=True)
    case = serializers.SerializerMethodField(
        help_text="The number of the first case the submission is linked to (2026/1234)."
    )
    areas = AreaRefSerializer(many=True, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Submission
        geo_field = "geom"
        fields = [
            "id",
            "reference",
            "council",
            "kind",
            "title",
            "text",
            "meeting_date",
            "minutes_reference",
            "year",
            "case",
            "consultation",
            "late",
            "status",
            "status_display",
            "areas",
            "created_at",
            "withdrawn_at",
            "withdrawn_reason",
        ]

    @extend_schema_field({"type": "string", "nullable": True, "pattern": r"^\d{4}/\d{1,7}$"})
    def get_case(self, submission) -> str | None:
        links = sorted(submission.case_links.all(), key=lambda link: (link.linked_at, link.pk))
        return links[0].case_number if links else None


class SubmissionDetailSerializer(SubmissionSerializer):
    history = StatusChangeSerializer(source="status_changes", many=True, read_only=True)
    replies = RepliesField(help_text="Elected members' public replies (their own view).")

    class Meta(SubmissionSerializer.Meta):
        fields = [*SubmissionSerializer.Meta.fields, "history", "replies"]


class SubmissionCreateSerializer(serializers.Serializer):
    council = serializers.PrimaryKeyRelatedField(
        queryset=Council.objects.select_related("municipality"),
        pk_field=serializers.IntegerField(),
        error_messages={"does_not_exist": gettext_lazy("There is no council {pk_value}.")},
    )
    kind = serializers.ChoiceField(choices=SubmissionKind.choices)
    title = TextSerializerField(min_length=3, max_length=200)
    text = TextSerializerField(multiline=True, min_length=10, max_length=20000)
    meeting_date = serializers.DateField(required=False, allow_null=True)
    minutes_reference = TextSerializerField(required=False, allow_blank=True, max_length=100)
    year = serializers.IntegerField(required=False, allow_null=True, min_value=1900, max_value=2100)
    geometry = serializers.JSONField(required=False, allow_null=True)
    areas = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.defer("geom"),
        many=True,
        required=False,
        pk_field=serializers.IntegerField(),
        error_messages={"does_not_exist": gettext_lazy("Unknown area.")},
    )
    case = TextSerializerField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text="The number of a case in the council's municipality (2026/1234).",
    )
    consultation = serializers.PrimaryKeyRelatedField(
        queryset=Consultation.objects.all(),
        required=False,
        allow_null=True,
        pk_field=serializers.IntegerField(),
        error_messages={"does_not_exist": gettext_lazy("There is no such consultation.")},
    )

    def validate(self, attrs):
        """The case, given by its number, is the council's municipality's."""
        number = attrs.get("case")
        attrs["case"] = None
        if number:
            attrs["case"] = Case.objects.filter(
                municipality=attrs["council"].municipality, number=number
            ).first()
            if attrs["case"] is None:
                raise ValidationError(
                    {"case": [_("There is no case %(n)s in this municipality.") % {"n": number}]}
                )
        return attrs


class SubmissionFilter(django_filters.FilterSet):
    council = django_filters.NumberFilter(field_name="council_id")
    area = django_filters.NumberFilter(method="filter_area")
    case = django_filters.CharFilter(
        field_name="case_links__case_number", validators=[case_number_validator], distinct=True
    )
    status = django_filters.ChoiceFilter(choices=Status.choices)
    since = django_filters.DateFilter(field_name="created_at__date", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="created_at__date", lookup_expr="lte")

    class Meta:
        model = Submission
        fields = ["council", "area", "case", "status", "since", "until"]

    def filter_area(self, queryset, name, value):
        if not Area.objects.filter(pk=value).exists():
            raise ValidationError({"area": [_("There is no area %(id)s.") % {"id": value}]})
        return queryset.filter(areas=value)


class SubmissionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Submissions from local councils, with their public history. Secretaries POST new ones."""

    filterset_class = SubmissionFilter
    pagination_class = FeatureCollectionPagination
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        queryset = (
            Submission.objects.prefetch_related("areas__type", "case_links")
            .with_api_geometry()
            .order_by("-created_at", "-id")
        )
        if self.action in ("retrieve", "create"):
            queryset = queryset.prefetch_related("status_changes", "replies")
        return queryset

    def get_serializer_class(self):
        return SubmissionDetailSerializer if self.action == "retrieve" else SubmissionSerializer

    @extend_schema(
        request=SubmissionCreateSerializer,
        parameters=[idempotency.PARAMETER],
        responses={201: SubmissionDetailSerializer, **idempotency.RESPONSES},
    )
    @idempotency.idempotent
    def create(self, request, *args, **kwargs):
        incoming = SubmissionCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        council = data["council"]
        council_services.council_secretary_check(request.user, council)
        geometry = None
        if data.get("geometry") is not None:
            # Null or absent is "no place"; anything else must be GeoJSON ({} and [] are not).
            geometry = geometry_from_geojson(json.dumps(data["geometry"]))
        submission = council_services.submission_file(
            secretary=request.user,
            council=council,
            kind=data["kind"],
            title=data["title"],
            text=data["text"],
            meeting_date=data.get("meeting_date"),
            minutes_reference=data.get("minutes_reference", ""),
            year=data.get("year"),
            geometry=geometry,
            areas=data.get("areas") or None,
            case=data["case"],
            consultation=data.get("consultation"),
        )
        body = SubmissionDetailSerializer(self.get_queryset().get(pk=submission.pk)).data
        return Response(
            body,
            status=status.HTTP_201_CREATED,
            headers={"Location": submission.get_absolute_url()},
        )
