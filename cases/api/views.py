"""The cases API: cases, their map layers, live digests and frozen ones."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import idempotency
from areas.models import Area
from cases import digests, services
from cases.api.serializers import (
    CaseDigestSerializer,
    CaseLayerSerializer,
    CaseSerializer,
    DigestSerializer,
    FreezeSerializer,
    FrozenDigestSerializer,
)
from cases.forms import PeriodForm
from cases.layers import case_layers, layer_geojson
from cases.models import Case

PERIOD_PARAMETERS = [
    OpenApiParameter("since", OpenApiTypes.DATE, description="From this day (created)."),
    OpenApiParameter("until", OpenApiTypes.DATE, description="Up to this day; default today."),
]


def period(request) -> dict:
    """The since/until query parameters (read by the pages' PeriodForm), or a 400 naming
    the bad one."""
    form = PeriodForm(request.query_params)
    if not form.is_valid():
        errors = form.errors.get_json_data()
        raise ValidationError(
            {name: [e["message"] for e in found] for name, found in errors.items()}
        )
    return {"since": form.cleaned_data.get("since"), "until": form.cleaned_data.get("until")}


class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Cases before an elected body (public records), with their layers and digests."""

    serializer_class = CaseSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        queryset = Case.objects.select_related("municipality").prefetch_related("areas")
        code = self.request.query_params.get("municipality")
        return queryset.filter(municipality__code=code) if code else queryset

    @extend_schema(parameters=PERIOD_PARAMETERS, responses={200: CaseDigestSerializer})
    @action(detail=True, methods=["get"])
    def digest(self, request, pk=None):
        """The live digest over the case's affected areas."""
        case = self.get_object()
        return Response(CaseDigestSerializer(digests.case_digest(case, **period(request))).data)

    @extend_schema(responses={200: CaseLayerSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def layers(self, request, pk=None):
        """The case's map layers, each with the URL of its GeoJSON."""
        case = self.get_object()
        rows = [
            {**layer, "url": reverse("api:case-layer", args=[case.pk, layer["key"]])}
            for layer in case_layers(case)
        ]
        return Response(CaseLayerSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("key", OpenApiTypes.STR, OpenApiParameter.PATH),
            OpenApiParameter("download", OpenApiTypes.BOOL, description="As a file."),
        ],
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT, description="GeoJSON FeatureCollection (RFC 7946)"
            )
        },
    )
    @action(detail=True, methods=["get"], url_path=r"layers/(?P<key>[\w-]+)", url_name="layer")
    def layer(self, request, pk=None, key=None):
        """One layer as an RFC 7946 GeoJSON FeatureCollection (WGS 84, longitude first)."""
        download = (request.query_params.get("download") or "false").lower()
        if download not in {"true", "false", "1", "0"}:
            raise ValidationError({"download": [_("Use true or false.")]})
        case = self.get_object()
        response = JsonResponse(layer_geojson(case, key), content_type="application/geo+json")
        if download in {"true", "1"}:
            name = f"{case.number.replace('/', '-')}-{key}.geojson"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @extend_schema(methods=["get"], responses={200: FrozenDigestSerializer(many=True)})
    @extend_schema(
        methods=["post"],
        request=FreezeSerializer,
        parameters=[idempotency.PARAMETER],
        responses={
            201: FrozenDigestSerializer,
            403: OpenApiResponse(description="Not a planner of the case's municipality"),
            **idempotency.RESPONSES,
        },
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="digests",
        permission_classes=[permissions.IsAuthenticatedOrReadOnly],
    )
    @idempotency.idempotent
    def digests(self, request, pk=None):
        """Frozen digests (GET); freeze the live one for the meeting (POST, planners)."""
        case = self.get_object()
        if request.method == "GET":
            return Response(FrozenDigestSerializer(case.frozen_digests.all(), many=True).data)
        serializer = FreezeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        frozen = services.digest_freeze(actor=request.user, case=case, **serializer.validated_data)
        return Response(FrozenDigestSerializer(frozen).data, status=status.HTTP_201_CREATED)


class AreaDigestView(APIView):
    """``/areas/{id}/digest/``: the area's digest."""

    @extend_schema(
        operation_id="areas_digest_retrieve",
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATE),
            OpenApiParameter("until", OpenApiTypes.DATE),
        ],
        responses={200: DigestSerializer},
    )
    def get(self, request, pk: int):
        """The area's digest: what residents and councils in it said, and how it was answered."""
        area = get_object_or_404(Area.objects.defer("geom"), pk=pk)
        return Response(DigestSerializer(digests.area_digest([area.pk], **period(request))).data)
