"""Citizens' panels (borgerpaneler) on a case.

- ``Panel``: set up by a planner for a case: its themes, its sessions (meetings), the size
  of the panel and the strata to balance (age group, gender, area of one area type, and any
  other column of the register extract).
- ``PanelTheme``: what the panel discusses, with the information members get beforehand.
- ``PanelSession``: a session of the panel is a meeting (meetings.Meeting), physical or
  digital, with its input.
- ``Volunteer``: someone who answered an invitation with the code from their letter, with
  the strata and availability they gave; the final selection marks them selected or
  alternate.

Register data (the population register extract and the invitations drawn from it) lives
apart from these tables (see the register models), readable only by the panel's staff.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinLengthValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text import NormalisedTextMixin


class PanelStatus(models.TextChoices):
    DRAFT = "draft", _("being set up")
    INVITING = "inviting", _("invitations sent")
    SELECTED = "selected", _("panel chosen")
    CLOSED = "closed", _("closed")


class Stratum(models.TextChoices):
    AGE_GROUP = "age_group", _("age group")
    GENDER = "gender", _("gender")
    AREA = "area", _("area")


class Panel(NormalisedTextMixin, models.Model):
    """A citizens' panel on a case."""

    case = models.ForeignKey(
        "cases.Case", models.PROTECT, related_name="panels", verbose_name=_("case")
    )
    title = models.CharField(_("title"), max_length=200, validators=[MinLengthValidator(3)])
    description = models.TextField(_("what the panel is asked"), max_length=5000)
    target_size = models.PositiveSmallIntegerField(
        _("members"), default=40, validators=[MinValueValidator(2), MaxValueValidator(500)]
    )
    invitations = models.PositiveIntegerField(
        _("invitations to send"),
        default=1000,
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
    )
    strata = ArrayField(
        models.CharField(max_length=40),
        verbose_name=_("strata to balance"),
        default=list,
        blank=True,
        help_text=_("age_group, gender, area, or another column of the register extract."),
    )
    area_type = models.ForeignKey(
        "areas.AreaType",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("area type for the area stratum"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PanelStatus.choices, default=PanelStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("citizens' panel")
        verbose_name_plural = _("citizens' panels")

    def __str__(self) -> str:
        return self.title


class PanelTheme(NormalisedTextMixin, models.Model):
    """A theme the panel discusses, and what members read about it beforehand."""

    panel = models.ForeignKey(Panel, models.PROTECT, related_name="themes")
    title = models.CharField(_("title"), max_length=200, validators=[MinLengthValidator(3)])
    information = models.TextField(_("information beforehand"), blank=True, max_length=20000)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["panel", "position", "pk"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.title


class PanelSession(models.Model):
    """A session of the panel: a meeting (physical or digital) with its input."""

    panel = models.ForeignKey(Panel, models.PROTECT, related_name="sessions")
    meeting = models.OneToOneField("meetings.Meeting", models.PROTECT, related_name="panel_session")
    digital = models.BooleanField(_("digital"), default=False)

    class Meta:
        ordering = ["panel", "meeting__starts_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return str(self.meeting)


class VolunteerStatus(models.TextChoices):
    VOLUNTEERED = "volunteered", _("volunteered")
    SELECTED = "selected", _("selected")
    ALTERNATE = "alternate", _("alternate")
    NOT_SELECTED = "not_selected", _("not selected")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Volunteer(models.Model):
    """Someone who answered an invitation with its code: what they told us themselves.

    ``strata`` holds every stratum value they gave (``{"age_group": "20-39", "gender":
    "f", "area": "<area id>", ...}``), the values the final selection balances.
    """

    panel = models.ForeignKey(Panel, models.PROTECT, related_name="volunteers")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    area = models.ForeignKey("areas.Area", models.PROTECT, null=True, blank=True, related_name="+")
    strata = models.JSONField(_("strata"), default=dict)
    availability = ArrayField(
        models.PositiveIntegerField(), verbose_name=_("sessions they can attend"), default=list
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=VolunteerStatus.choices,
        default=VolunteerStatus.VOLUNTEERED,
    )
    selection_probability = models.FloatField(_("probability of selection"), null=True)
    alternate_rank = models.PositiveSmallIntegerField(_("alternate number"), null=True)
    created_at = models.DateTimeField(_("volunteered"), auto_now_add=True)

    class Meta:
        ordering = ["panel", "created_at"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        indexes = [models.Index(fields=["panel", "status"])]

    def __str__(self) -> str:
        return self.name
