"""Read queries of hearings and their answers."""

from __future__ import annotations

from django.contrib.gis.db.models.functions import Transform
from django.db import models
from django.utils import timezone


class HearingQuerySet(models.QuerySet):
    def open_now(self) -> HearingQuerySet:
        """Hearings taking answers today (before their deadline)."""
        today = timezone.localdate()
        return self.filter(opens_on__lte=today, closes_on__gte=today)

    def for_case(self, case) -> HearingQuerySet:
        return self.filter(case=case)


class HearingAnswerQuerySet(models.QuerySet):
    def public(self) -> HearingAnswerQuerySet:
        """Answers anyone may see: published (not waiting for a moderator, not hidden)."""
        return self.filter(visibility="public")

    def pending(self) -> HearingAnswerQuerySet:
        """Answers waiting for a moderator."""
        return self.filter(visibility="pending_review")

    def for_hearing(self, hearing) -> HearingAnswerQuerySet:
        return self.filter(hearing=hearing)

    def newest_first(self) -> HearingAnswerQuerySet:
        return self.order_by("-created_at", "-id")

    def with_api_geometry(self) -> HearingAnswerQuerySet:
        """Annotate ``api_geom``: the place in WGS 84."""
        return self.annotate(api_geom=Transform("geom", 4326))


class PublicHearingAnswerManager(models.Manager.from_queryset(HearingAnswerQuerySet)):
    """Only the answers anyone may see."""

    def get_queryset(self) -> HearingAnswerQuerySet:
        return super().get_queryset().public()
