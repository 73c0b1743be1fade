"""Elected members' replies in the API, for every kind of input with replies
(``priorities.kinds``): listed with a record (public ones only) and made by a councillor of
the record's municipality with a POST (``Idempotency-Key`` honoured, like every create)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import idempotency
from core.fields import TextSerializerField
from priorities import kinds, services
from priorities.models import REPLY_MAX_LENGTH, REPLY_MIN_LENGTH


class ReplyAnswerSerializer(serializers.Serializer):
    """The author's answer back to a reply (public; the author is not named)."""

    text = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class ReplySerializer(serializers.Serializer):
    """An elected member's public reply: their own view, not the municipality's answer."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, help_text="The elected member's name.")
    party = serializers.CharField(read_only=True)
    elected_body = serializers.CharField(read_only=True)
    text = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    own_view = serializers.SerializerMethodField(
        help_text="Always true: the member's own view, not the municipality's answer."
    )
    answer = serializers.SerializerMethodField()

    def get_own_view(self, reply) -> bool:
        return True

    @extend_schema_field(ReplyAnswerSerializer(allow_null=True))
    def get_answer(self, reply):
        answer = getattr(reply, "public_answer", None)
        return ReplyAnswerSerializer(answer).data if answer is not None else None


def public_threads(replies) -> list:
    """The public replies among these (a record's, in order), each with its public answer
    back as ``public_answer``."""
    replies = list(replies)
    answers = {r.parent_id: r for r in replies if r.parent_id and r.is_public}
    threads = []
    for reply in replies:
        if reply.parent_id is None and reply.is_public:
            reply.public_answer = answers.get(reply.pk)
            threads.append(reply)
    return threads


@extend_schema_field(ReplySerializer(many=True))
class RepliesField(serializers.Field):
    """A record's public replies (``record.replies``, best prefetched), for its detail."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record):
        replies = sorted(record.replies.all(), key=lambda r: (r.created_at, r.pk))
        return ReplySerializer(public_threads(replies), many=True).data


class ReplyCreateSerializer(serializers.Serializer):
    text = TextSerializerField(
        multiline=True, min_length=REPLY_MIN_LENGTH, max_length=REPLY_MAX_LENGTH
    )


KIND = OpenApiParameter(
    "kind",
    str,
    location=OpenApiParameter.PATH,
    description="The kind of input: priority, submission, …",
)


class RecordRepliesView(APIView):
    """Elected members' replies to one piece of input. GET: the public ones, each with the
    author's answer back. POST (a councillor of the record's municipality): a new reply,
    published at once; it changes no status, and the author and followers are told."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def _record(self, kind_key: str, pk: int):
        try:
            kind = kinds.get(kind_key)
        except KeyError as exc:
            raise Http404 from exc
        if kind.replies is None:
            raise Http404
        record = kind.public_records().filter(pk=pk).first()
        if record is None:
            raise Http404
        return kind, record

    @extend_schema(parameters=[KIND], responses={200: ReplySerializer(many=True)})
    def get(self, request, kind: str, pk: int):
        input_kind, record = self._record(kind, pk)
        replies = input_kind.replies.objects.filter(record=record).order_by("created_at", "id")
        return Response(ReplySerializer(public_threads(replies), many=True).data)

    @extend_schema(
        parameters=[KIND, idempotency.PARAMETER],
        request=ReplyCreateSerializer,
        responses={201: ReplySerializer, **idempotency.RESPONSES},
    )
    @idempotency.idempotent
    def post(self, request, kind: str, pk: int):
        input_kind, record = self._record(kind, pk)
        services.councillor_grant(request.user, record.municipality_id)  # 403 first
        incoming = ReplyCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        reply = services.reply_create(record, request.user, incoming.validated_data["text"])
        reply.public_answer = None
        return Response(
            ReplySerializer(reply).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{record.get_absolute_url()}#reply-{reply.pk}"},
        )


class ReplyAnswerView(APIView):
    """The input's author answers an elected member's reply, once (POST). The member is
    told by e-mail; a second answer is refused (400)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[KIND, idempotency.PARAMETER],
        request=ReplyCreateSerializer,
        responses={201: ReplyAnswerSerializer, **idempotency.RESPONSES},
    )
    @idempotency.idempotent
    def post(self, request, kind: str, pk: int):
        try:
            input_kind = kinds.get(kind)
        except KeyError as exc:
            raise Http404 from exc
        if input_kind.replies is None:
            raise Http404
        reply = (
            input_kind.replies.objects.select_related("record")
            .filter(pk=pk, record__in=input_kind.public_records())
            .first()
        )
        if reply is None:
            raise Http404
        services.reply_author_check(request.user, reply)  # 403 first
        incoming = ReplyCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        answer = services.reply_answer_back(reply, request.user, incoming.validated_data["text"])
        return Response(
            ReplyAnswerSerializer(answer).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{reply.record.get_absolute_url()}#reply-{reply.pk}"},
        )
