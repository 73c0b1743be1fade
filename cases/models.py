"""Cases (saker) before an elected body: where residents' and councils' input meets the decision."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.contrib.gis.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from areas.models import STORAGE_SRID
from cases.querysets import CaseQuerySet
from nabolaget.history import append_only_history
from priorities.models import case_number_validator


class Body(models.TextChoices):
    """The elected body that decides the case."""

    KOMMUNESTYRE = "kommunestyre", _("municipal council (kommunestyre)")
    FORMANNSKAP = "formannskap", _("executive board (formannskap)")
    COMMITTEE = "committee", _("committee (utvalg)")


class CaseStatus(models.TextChoices):
    IN_PREPARATION = "in_preparation", _("in preparation")
    ON_AGENDA = "on_agenda", _("on the agenda")
    DECIDED = "decided", _("decided")


@pghistory.track()
class Case(models.Model):
    """A case (sak) as the public archive knows it, e.g. 2026/1234 (Noark 5 numbering)."""

    municipality = models.ForeignKey(
        "areas.Municipality", models.PROTECT, related_name="cases", verbose_name=_("municipality")
    )
    number = models.CharField(_("case number"), max_length=20, validators=[case_number_validator])
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("plain-language summary"), blank=True, max_length=5000)
    body = models.CharField(_("elected body"), max_length=20, choices=Body.choices)
    committee_name = models.CharField(_("committee"), max_length=200, blank=True)
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.IN_PREPARATION
    )
    decision = models.TextField(_("decision"), blank=True)
    archive_url = models.URLField(
        _("public archive entry"),
        blank=True,
        help_text=_("eInnsyn or the municipality's own archive."),
    )
    geom = models.GeometryField(_("geometry"), srid=STORAGE_SRID, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["meeting_date", "number"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "number"], name="case_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.pk])


@pghistory.track(meta=append_only_history("consultationevent"))
class Consultation(models.Model):
    """A request to one or more councils for a statement on a case (høring), with a deadline
    set before the elected body's meeting.

    On the record (database triggers): never deleted, and what was asked never changes.
    The one change allowed is moving the deadline later (an extension); every change
    leaves a history row (pghistory) with the actor and the request.
    """

    case = models.ForeignKey(
        Case, models.PROTECT, related_name="consultations", verbose_name=_("case")
    )
    councils = models.ManyToManyField(
        "areas.Council", related_name="consultations", verbose_name=_("councils asked")
    )
    deadline = models.DateField(_("deadline"))
    summary = models.TextField(_("plain-language summary"), max_length=5000)
    questions = models.TextField(_("questions for reflection"), blank=True, max_length=5000)
    created_by = models.ForeignKey("nabolaget.User", models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        triggers = [
            pgtrigger.Protect(name="consultation_never_deleted", operation=pgtrigger.Delete),
            pgtrigger.ReadOnly(name="consultation_read_only", exclude=["deadline"]),
            pgtrigger.Protect(
                name="consultation_deadline_only_extended",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__deadline__gt=pgtrigger.F("new__deadline")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number}: {self.deadline}"

    def get_absolute_url(self) -> str:
        return reverse("councils:consultation", args=[self.pk])

    @property
    def is_past_deadline(self) -> bool:
        from django.utils import timezone

        return timezone.localdate() > self.deadline
