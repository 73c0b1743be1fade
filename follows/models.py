"""What residents follow, and what the apps announce to them.

- ``Follow``: an account follows an area, or a whole municipality (no area), for some
  topics, delivered at once, daily or weekly.
- ``Announcement``: something new in some areas of a municipality (a hearing opened, a
  meeting set, a case registered, an answer given), made once per ``key`` by the app it
  belongs to through ``follows.services.announce``; the feeds and the e-mails read these.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from follows.querysets import AnnouncementQuerySet, FollowQuerySet


class Topic(models.TextChoices):
    HEARING = "hearing", _("new hearings")
    MEETING = "meeting", _("new meetings and workshops")
    CASE = "case", _("new cases")
    ANSWER = "answer", _("answers to input")


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("at once")
    DAILY = "daily", _("once a day")
    WEEKLY = "weekly", _("once a week")


def all_topics() -> list[str]:
    return list(Topic.values)


class Follow(models.Model):
    """An account follows an area (or, with no area, the whole municipality)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="follows", verbose_name=_("account")
    )
    municipality = models.ForeignKey(
        "areas.Municipality", models.CASCADE, related_name="+", verbose_name=_("municipality")
    )
    area = models.ForeignKey(
        "areas.Area",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("area"),
        help_text=_("None: the whole municipality."),
    )
    topics = ArrayField(
        models.CharField(max_length=20, choices=Topic.choices),
        default=all_topics,
        verbose_name=_("topics"),
    )
    frequency = models.CharField(
        _("how often"), max_length=20, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FollowQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality", "area"],
                name="follow_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.area_id or self.municipality_id}"

    def clean(self) -> None:
        if self.area_id and self.area.municipality_id != self.municipality_id:
            raise ValidationError(
                {"area": _("This area is not in the municipality you chose.")}, code="area"
            )
        if not self.topics:
            raise ValidationError({"topics": _("Choose at least one thing to follow.")})

    def get_feed_url(self) -> str:
        """The Atom feed of what the follow covers."""
        if self.area_id:
            return reverse("follows:area_feed", args=[self.area_id])
        return reverse("follows:municipality_feed", args=[self.municipality.code])


class Announcement(models.Model):
    """Something new in some areas of a municipality, announced once (unique ``key``)."""

    key = models.CharField(max_length=120, unique=True)
    municipality = models.ForeignKey(
        "areas.Municipality", models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True, max_length=2000)
    url = models.CharField(_("address"), max_length=300, help_text=_("A path on this site."))
    areas = models.ManyToManyField("areas.Area", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self) -> str:
        return self.key
