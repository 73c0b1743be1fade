"""Serializers of the cases API. Digests are plain dicts made by cases.digests; these
describe them (for the OpenAPI schema) and pass them through."""

from rest_framework import serializers

from cases.digests import PERIOD_VALIDATORS
from cases.models import Case, FrozenDigest
from core.api import URIField


class DigestAreaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()
    type = serializers.CharField(help_text="The area type's name in the request's language.")


class DigestPeriodSerializer(serializers.Serializer):
    since = serializers.DateField(allow_null=True)
    until = serializers.DateField()


class DigestTotalsSerializer(serializers.Serializer):
    priorities = serializers.IntegerField(help_text="Each priority once, however many areas.")
    supports = serializers.IntegerField()


class DigestCategorySerializer(serializers.Serializer):
    category = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    colour = serializers.CharField()
    priorities = serializers.IntegerField()
    supports = serializers.IntegerField()


class DigestStatusSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class DigestPrioritySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    category = serializers.CharField(required=False)
    status = serializers.CharField()
    status_label = serializers.CharField()
    supports = serializers.IntegerField()
    created = serializers.DateField(required=False)
    url = serializers.CharField()


class DigestHealthSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    answered = serializers.IntegerField()
    answered_share = serializers.FloatField(allow_null=True)
    median_days = serializers.FloatField(allow_null=True, help_text="To the first answer.")
    overdue = serializers.IntegerField(help_text="Unanswered and older than answer_days.")
    answer_days = serializers.IntegerField()


class DigestInputRowSerializer(serializers.Serializer):
    """A piece of input of another kind than priorities, in a digest. Every kind gives at
    least these; some give more (a submission its kind and the consultation it answers)."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    source = serializers.CharField(help_text="Who it is from (e.g. the council's name).")
    status = serializers.CharField()
    status_label = serializers.CharField()
    created = serializers.DateField()
    url = serializers.CharField()


class DigestInputGroupSerializer(serializers.Serializer):
    title = serializers.CharField()
    rows = DigestInputRowSerializer(many=True)


class DigestInputSectionSerializer(serializers.Serializer):
    """One kind of input (priorities.kinds) besides priorities: its records in the areas
    (grouped), those linked to the case (a case's digest), and its answers' health."""

    kind = serializers.CharField(help_text="The kind's key, e.g. submission.")
    label = serializers.CharField()
    count = serializers.IntegerField()
    health = DigestHealthSerializer()
    linked = DigestInputRowSerializer(many=True)
    groups = DigestInputGroupSerializer(many=True)


class DigestMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    count = serializers.IntegerField()


class DigestPerAreaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    type = serializers.CharField()
    priorities = serializers.IntegerField()
    supports = serializers.IntegerField()
    answered = serializers.IntegerField()


class DigestSerializer(serializers.Serializer):
    """A digest: the input in some areas over a period (each piece counted once)."""

    language = serializers.CharField()
    period = DigestPeriodSerializer()
    areas = DigestAreaSerializer(many=True)
    totals = DigestTotalsSerializer()
    by_category = DigestCategorySerializer(many=True)
    by_status = DigestStatusSerializer(many=True)
    top = DigestPrioritySerializer(many=True)
    trend = DigestMonthSerializer(many=True)
    health = DigestHealthSerializer()
    inputs = DigestInputSectionSerializer(many=True)
    per_area = DigestPerAreaSerializer(many=True)


class CaseDigestSerializer(DigestSerializer):
    """A case's digest: its areas' digest plus the priorities linked to it (the other kinds'
    links are in their sections)."""

    linked = DigestPrioritySerializer(many=True)


class CaseSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="code", read_only=True)
    areas = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    archive_url = URIField(read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "municipality",
            "number",
            "title",
            "summary",
            "body",
            "committee_name",
            "meeting_date",
            "status",
            "decision",
            "archive_url",
            "buffer_metres",
            "areas",
            "url",
        ]


class CaseLayerSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["areas", "case", "uploaded", "derived"])
    url = serializers.CharField()


class FrozenDigestSerializer(serializers.ModelSerializer):
    pdf = serializers.SerializerMethodField()

    class Meta:
        model = FrozenDigest
        fields = ["version", "meeting_date", "since", "until", "language", "frozen_at", "pdf"]

    def get_pdf(self, obj) -> str | None:
        from django.urls import reverse

        if not hasattr(obj, "pdf"):
            return None
        return reverse("cases:frozen_pdf", args=[obj.case_id, obj.version])


class FreezeSerializer(serializers.Serializer):
    since = serializers.DateField(required=False, allow_null=True, validators=PERIOD_VALIDATORS)
    until = serializers.DateField(required=False, allow_null=True, validators=PERIOD_VALIDATORS)
