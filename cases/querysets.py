from __future__ import annotations

from django.db import models
from django.utils import timezone


class CaseQuerySet(models.QuerySet):
    def upcoming(self) -> CaseQuerySet:
        """Cases whose meeting is today or later, soonest first."""
        return self.filter(meeting_date__gte=timezone.localdate()).order_by(
            "meeting_date", "number"
        )
