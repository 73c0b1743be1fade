"""The logged-in account's follows in the API, with the Atom feeds' addresses."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.response import Response

from accounts import idempotency
from accounts.notifications import site_url
from areas.models import Area, Municipality
from follows import services
from follows.models import Follow, Frequency, Topic

FEEDS_DESCRIPTION = (
    "Atom feeds (RFC 4287, application/atom+xml) of what is announced, no log-in needed: "
    "/areas/{id}/feed.atom for an area in force, /kommune/{code}/feed.atom for a whole "
    "municipality (404 for an unknown area or one no longer in force)."
)


class FollowSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Municipality.objects.all(),
        required=False,
        help_text="The municipality's number (kommunenummer); may be left out with an area.",
        error_messages={"does_not_exist": gettext_lazy("There is no municipality {value}.")},
    )
    area = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.filter(municipality__isnull=False).defer("geom"),
        required=False,
        allow_null=True,
        pk_field=serializers.IntegerField(),
        help_text="The area followed; null for the whole municipality.",
        error_messages={
            "does_not_exist": gettext_lazy(
                "There is no area {pk_value} to follow (it may no longer be in force)."
            )
        },
    )
    topics = serializers.ListField(
        child=serializers.ChoiceField(choices=Topic.choices),
        allow_empty=False,
        min_length=1,
        max_length=len(Topic.choices),
        error_messages={"empty": gettext_lazy("Choose at least one thing to follow.")},
    )
    frequency = serializers.ChoiceField(choices=Frequency.choices, default=Frequency.IMMEDIATE)
    feed = serializers.SerializerMethodField(help_text="The Atom feed of what this follow covers.")

    class Meta:
        model = Follow
        fields = ["id", "municipality", "area", "topics", "frequency", "feed", "created_at"]
        read_only_fields = ["id", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # In force today (the date is taken per request, not when the module was loaded).
        if "area" in self.fields and not self.fields["area"].read_only:
            self.fields["area"].queryset = (
                Area.objects.in_force().filter(municipality__isnull=False).defer("geom")
            )

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_feed(self, follow) -> str:
        return site_url(follow.get_feed_url())

    def validate(self, data):
        area = data.get("area")
        municipality = data.get("municipality")
        if area is not None:
            if municipality is not None and area.municipality_id != municipality.pk:
                raise serializers.ValidationError(
                    {"area": [_("This area is not in the municipality you chose.")]}
                )
            data["municipality"] = area.municipality
        elif municipality is None:
            raise serializers.ValidationError(
                {"municipality": [_("Choose an area or a municipality to follow.")]}
            )
        return data


class FollowUpdateSerializer(FollowSerializer):
    """What a follow covers and how often; its place stays (follow another place anew)."""

    municipality = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(FollowSerializer.Meta):
        read_only_fields = ["id", "municipality", "area", "created_at"]

    def validate(self, data):
        return data


@extend_schema(description="The logged-in account's follows. " + FEEDS_DESCRIPTION)
class FollowViewSet(viewsets.ModelViewSet):
    """The areas (or whole municipalities) the account follows, what about, how often."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None
    filter_backends: list = []
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return Follow.objects.of(self.request.user)

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return FollowUpdateSerializer
        return FollowSerializer

    @extend_schema(
        request=FollowSerializer,
        parameters=[idempotency.PARAMETER],
        responses={201: FollowSerializer, 200: FollowSerializer, **idempotency.RESPONSES},
        description="Follow a place; following one already followed changes it (200).",
    )
    @idempotency.idempotent
    def create(self, request, *args, **kwargs):
        incoming = FollowSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        existed = Follow.objects.filter(
            user=request.user, municipality=data["municipality"], area=data.get("area")
        ).exists()
        follow = services.follow_save(
            user=request.user,
            municipality=data["municipality"],
            area=data.get("area"),
            topics=data["topics"],
            frequency=data["frequency"],
        )
        body = FollowSerializer(self.get_queryset().get(pk=follow.pk)).data
        return Response(body, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        follow = serializer.instance
        services.follow_save(
            user=self.request.user,
            municipality=follow.municipality,
            area=follow.area,
            topics=serializer.validated_data.get("topics", follow.topics),
            frequency=serializer.validated_data.get("frequency", follow.frequency),
        )
        serializer.instance = self.get_queryset().get(pk=follow.pk)

    def perform_destroy(self, instance):
        services.follow_delete(user=self.request.user, follow_ids=[instance.pk])
