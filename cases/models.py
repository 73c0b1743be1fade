"""Cases (saker) before an elected body: where residents' and councils' input meets the decision."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.contrib.gis.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from areas.models import STORAGE_SRID
from cases.querysets import CaseQuerySet
from core.history import append_only_history, never_truncated
from core.text import NormalisedTextMixin
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
class Case(NormalisedTextMixin, models.Model):
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
    area_types = models.ManyToManyField(
        "areas.AreaType",
        blank=True,
        related_name="+",
        verbose_name=_("area types affected"),
        help_text=_("The kinds of area whose input the case should hear."),
    )
    buffer_metres = models.PositiveIntegerField(
        _("buffer (metres)"),
        default=0,
        help_text=_("Areas this close to the case's geometry count as affected too."),
    )
    areas = models.ManyToManyField(
        "areas.Area",
        through="CaseArea",
        blank=True,
        related_name="cases",
        verbose_name=_("affected areas"),
    )
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


class AreaOrigin(models.TextChoices):
    COMPUTED = "computed", _("computed from the geometry")
    ADDED = "added", _("added by hand")


@pghistory.track()
class CaseArea(models.Model):
    """An area the case affects: computed from its geometry, or added by hand."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="case_areas")
    area = models.ForeignKey("areas.Area", models.PROTECT, related_name="+")
    origin = models.CharField(_("origin"), max_length=10, choices=AreaOrigin.choices)

    class Meta:
        ordering = ["area__type__slug", "area__name"]
        constraints = [
            models.UniqueConstraint(fields=["case", "area"], name="casearea_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.area_id} ({self.origin})"


class AdjustmentAction(models.TextChoices):
    ADD = "add", _("added")
    REMOVE = "remove", _("removed")


@pghistory.track(meta=append_only_history("caseareaadjustmentevent"))
class CaseAreaAdjustment(NormalisedTextMixin, models.Model):
    """A planner's adjustment of the affected areas, with the reason. Append-only: the record."""

    case = models.ForeignKey(Case, models.PROTECT, related_name="area_adjustments")
    area = models.ForeignKey("areas.Area", models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=10, choices=AdjustmentAction.choices)
    reason = models.CharField(_("reason"), max_length=500)
    actor = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("adjustment of the affected areas")
        verbose_name_plural = _("adjustments of the affected areas")
        triggers = [
            pgtrigger.Protect(
                name="caseareaadjustment_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            ),
            never_truncated("caseareaadjustment"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.area_id}: {self.reason}"


@pghistory.track()
class CaseLayer(NormalisedTextMixin, models.Model):
    """A named map layer uploaded to a case: plan boundary, proposed route, an alternative."""

    case = models.ForeignKey(Case, models.PROTECT, related_name="layers")
    name = models.CharField(_("name"), max_length=100)
    source = models.CharField(_("file"), max_length=300, blank=True)
    created_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("map layer")
        verbose_name_plural = _("map layers")
        constraints = [
            models.UniqueConstraint(fields=["case", "name"], name="caselayer_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class CaseLayerFeature(models.Model):
    """One feature of an uploaded layer, in the storage SRID, with its attributes."""

    layer = models.ForeignKey(CaseLayer, models.CASCADE, related_name="features")
    geom = models.GeometryField(srid=STORAGE_SRID)
    properties = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"feature {self.pk} of layer {self.layer_id}"


@pghistory.track(meta=append_only_history("frozendigestevent"))
class FrozenDigest(models.Model):
    """A digest attached to a case for a meeting, as it was: data, HTML, and (in
    FrozenDigestPDF) the PDF. Dated, versioned per case, and never changed: database
    triggers refuse every update and delete."""

    case = models.ForeignKey(Case, models.PROTECT, related_name="frozen_digests")
    version = models.PositiveIntegerField(_("version"))
    meeting_date = models.DateField(_("for the meeting of"), null=True, blank=True)
    since = models.DateField(_("from"), null=True, blank=True)
    until = models.DateField(_("to"))
    language = models.CharField(_("language"), max_length=5)
    data = models.JSONField(_("data"))
    html = models.TextField(_("rendered HTML"))
    fingerprint = models.CharField(max_length=64)
    frozen_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+")
    frozen_at = models.DateTimeField(_("frozen"), auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("frozen digest")
        verbose_name_plural = _("frozen digests")
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="frozendigest_unique_version"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="frozendigest_read_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
            never_truncated("frozendigest"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("cases:frozen", args=[self.case_id, self.version])


@pghistory.track(meta=append_only_history("frozendigestpdfevent"))
class FrozenDigestPDF(models.Model):
    """The PDF of a frozen digest, made from its frozen HTML (at once, or by the background
    worker when large). Written once, never changed."""

    digest = models.OneToOneField(FrozenDigest, models.PROTECT, related_name="pdf")
    file = models.FileField(upload_to="digests/%Y/")
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = [
            pgtrigger.Protect(
                name="frozendigestpdf_read_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
            never_truncated("frozendigestpdf"),
        ]

    def __str__(self) -> str:
        return f"PDF of {self.digest_id}"
