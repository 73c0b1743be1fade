"""Read queries of councils' submissions."""

from __future__ import annotations

from django.contrib.gis.db.models.functions import Transform
from django.db import models


class SubmissionQuerySet(models.QuerySet):
    def active(self) -> SubmissionQuerySet:
        """Submissions not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)

    def in_area(self, area) -> SubmissionQuerySet:
        """Submissions concerning the area."""
        return self.filter(areas=area)

    def for_council(self, council) -> SubmissionQuerySet:
        return self.filter(council=council)

    def annual_reports(self) -> SubmissionQuerySet:
        """Associations' annual reports (årsmeldinger)."""
        return self.filter(kind="annual_report")

    def with_api_geometry(self) -> SubmissionQuerySet:
        """Annotate ``api_geom``: the geometry in WGS 84."""
        return self.annotate(api_geom=Transform("geom", 4326))
