"""Hearings and their published answers in the API (answers as GeoJSON Features)."""

from __future__ import annotations

import json

import django_filters
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from accounts import idempotency
from areas.geojson import geometry_from_geojson
from areas.models import Area
from core.api import FeatureCollectionPagination, StrictPageNumberPagination
from core.fields import TextSerializerField
from councils.api.views import ApiGeometryField
from councils.models import Council
from hearings import services
from hearings.models import Hearing, HearingAnswer, Respondent
from priorities.api.serializers import AreaRefSerializer, StatusChangeSerializer
from priorities.models import Status


class HearingSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.number", read_only=True)
    case_id = serializers.IntegerField(read_only=True)
    municipality = serializers.CharField(source="case.municipality.code", read_only=True)
    invited_councils = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    documents = serializers.SerializerMethodField()

    class Meta:
        model = Hearing
        fields = [
            "id",
            "case",
            "case_id",
            "municipality",
            "title",
            "decision",
            "questions",
            "opens_on",
            "closes_on",
            "audience",
            "invited_councils",
            "publication",
            "documents",
            "created_at",
        ]

    def get_documents(self, hearing) -> list[dict]:
        return [
            {"name": d.name, "size": d.size, "url": reverse("hearings:document", args=[d.pk])}
            for d in hearing.documents.all()
        ]


class HearingFilter(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="case_id")
    municipality = django_filters.CharFilter(field_name="case__municipality__code")

    class Meta:
        model = Hearing
        fields = ["case", "municipality"]


class HearingViewSet(viewsets.ReadOnlyModelViewSet):
    """Hearings (høringer) on cases: what will be decided, the deadline, who may answer."""

    queryset = (
        Hearing.objects.select_related("case__municipality")
        .prefetch_related("invited_councils", "documents")
        .order_by("-opens_on", "-id")
    )
    serializer_class = HearingSerializer
    filterset_class = HearingFilter
    pagination_class = StrictPageNumberPagination
    lookup_value_regex = "[0-9]+"


class HearingAnswerSerializer(GeoFeatureModelSerializer):
    """A published answer. Never carries the account behind it; the name only as the
    public record shows it (none when withheld)."""

    geom = ApiGeometryField(source="api_geom", read_only=True, precision=7, allow_null=True)
    hearing = serializers.PrimaryKeyRelatedField(read_only=True)
    council = serializers.PrimaryKeyRelatedField(read_only=True)
    name = serializers.CharField(source="public_name", read_only=True)
    areas = AreaRefSerializer(many=True, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = HearingAnswer
        geo_field = "geom"
        fields = [
            "id",
            "reference",
            "hearing",
            "respondent",
            "name",
            "organisation_number",
            "council",
            "text",
            "late",
            "status",
            "status_display",
            "areas",
            "created_at",
        ]


class HearingAnswerDetailSerializer(HearingAnswerSerializer):
    history = StatusChangeSerializer(source="status_changes", many=True, read_only=True)

    class Meta(HearingAnswerSerializer.Meta):
        fields = [*HearingAnswerSerializer.Meta.fields, "history"]


class HearingAnswerCreateSerializer(serializers.Serializer):
    hearing = serializers.PrimaryKeyRelatedField(
        queryset=Hearing.objects.select_related("case__municipality"),
        pk_field=serializers.IntegerField(),
        error_messages={"does_not_exist": gettext_lazy("There is no hearing {pk_value}.")},
    )
    respondent = serializers.ChoiceField(choices=Respondent.choices, default=Respondent.RESIDENT)
    text = TextSerializerField(multiline=True, min_length=10, max_length=20000)
    signed_name = TextSerializerField(required=False, allow_blank=True, max_length=200)
    name_withheld = serializers.BooleanField(required=False, default=False)
    organisation_name = TextSerializerField(required=False, allow_blank=True, max_length=200)
    organisation_number = TextSerializerField(required=False, allow_blank=True, max_length=11)
    contact_person = TextSerializerField(required=False, allow_blank=True, max_length=200)
    council = serializers.PrimaryKeyRelatedField(
        queryset=Council.objects.select_related("municipality"),
        required=False,
        allow_null=True,
        pk_field=serializers.IntegerField(),
        error_messages={"does_not_exist": gettext_lazy("There is no council {pk_value}.")},
    )
    geometry = serializers.JSONField(required=False, allow_null=True)
    areas = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.defer("geom"),
        many=True,
        required=False,
        pk_field=serializers.IntegerField(),
        error_messages={"does_not_exist": gettext_lazy("Unknown area.")},
    )


class HearingAnswerFilter(django_filters.FilterSet):
    hearing = django_filters.NumberFilter(method="filter_hearing")
    respondent = django_filters.ChoiceFilter(choices=Respondent.choices)
    status = django_filters.ChoiceFilter(choices=Status.choices)

    class Meta:
        model = HearingAnswer
        fields = ["hearing", "respondent", "status"]

    def filter_hearing(self, queryset, name, value):
        if not Hearing.objects.filter(pk=value).exists():
            raise ValidationError({"hearing": [_("There is no hearing %(id)s.") % {"id": value}]})
        return queryset.filter(hearing=value)


class HearingAnswerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Published answers to hearings (høringssvar), with their public history. Logged-in
    residents, organisations and councils' secretaries POST new ones."""

    filterset_class = HearingAnswerFilter
    pagination_class = FeatureCollectionPagination
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        queryset = (
            HearingAnswer.public_objects.select_related("hearing", "council")
            .prefetch_related("areas__type")
            .with_api_geometry()
            .newest_first()
        )
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("status_changes")
        return queryset

    def get_serializer_class(self):
        return (
            HearingAnswerDetailSerializer if self.action == "retrieve" else HearingAnswerSerializer
        )

    @extend_schema(
        request=HearingAnswerCreateSerializer,
        parameters=[idempotency.PARAMETER],
        responses={201: HearingAnswerDetailSerializer, **idempotency.RESPONSES},
    )
    @idempotency.idempotent
    def create(self, request, *args, **kwargs):
        incoming = HearingAnswerCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        geometry = None
        if data.get("geometry") is not None:
            # Null or absent is "no place"; anything else must be GeoJSON ({} and [] are not).
            geometry = geometry_from_geojson(json.dumps(data["geometry"]))
        answer = services.answer_submit(
            author=request.user,
            hearing=data["hearing"],
            text=data["text"],
            respondent=data["respondent"],
            signed_name=data.get("signed_name", ""),
            name_withheld=data.get("name_withheld", False),
            organisation_name=data.get("organisation_name", ""),
            organisation_number=data.get("organisation_number", ""),
            contact_person=data.get("contact_person", ""),
            council=data.get("council"),
            geometry=geometry,
            areas=data.get("areas") or None,
        )
        queryset = (
            HearingAnswer.all_objects.select_related("hearing", "council")
            .prefetch_related("areas__type", "status_changes")
            .with_api_geometry()
        )
        body = HearingAnswerDetailSerializer(queryset.get(pk=answer.pk)).data
        return Response(
            body, status=status.HTTP_201_CREATED, headers={"Location": answer.get_absolute_url()}
        )
