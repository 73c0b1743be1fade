"""Public meetings, workshops and walks, and what was said there.

- ``Meeting``: a public meeting (folkemøte), a workshop (bylab) or a walk (befaring) that a
  planner registers: when, where (a point and a place name), the case it is about, the
  areas, the organisers. On the record: never deleted; it may be cancelled (once) or
  hidden by a moderator, never rewritten.
- ``MeetingInput``: the input gathered there, recorded by a planner, a kind of input in the
  one feedback loop (``MeetingInputStatusChange``, ``MeetingInputCaseLink``), with the
  places drawn on the workshop's paper maps and photos of its flip charts
  (``MeetingPhoto``, each with its alternative text).
- ``ParticipantCount``: how many took part, by age group, where that was asked.
- ``MeetingFollower``: a participant who left an e-mail address at the meeting (the QR code
  to its short form) and, once it is confirmed, hears what happens to the meeting's input.
"""

from __future__ import annotations

from collections import defaultdict

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.gis.db import models
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.models import STORAGE_SRID, AgeGroup
from core.history import append_only_history, never_truncated, only_cleared
from core.text import NormalisedTextMixin
from priorities.models import (
    CaseLink,
    InputRecord,
    Reply,
    StatusChange,
    case_link_meta,
    reply_meta,
    status_change_triggers,
)


class MeetingType(models.TextChoices):
    PUBLIC_MEETING = "public_meeting", _("public meeting (folkemøte)")
    WORKSHOP = "workshop", _("workshop (bylab)")
    WALK = "walk", _("walk (befaring)")


class MeetingQuerySet(models.QuerySet):
    def public(self) -> MeetingQuerySet:
        """Meetings anyone may see: not hidden by a moderator (cancelled ones are shown,
        marked cancelled)."""
        return self.filter(hidden_at__isnull=True)

    def upcoming(self, now=None) -> MeetingQuerySet:
        """Public meetings not cancelled that have not ended, soonest first: the calendar."""
        return (
            self.public()
            .filter(cancelled_at__isnull=True, ends_at__gte=now or timezone.now())
            .order_by("starts_at", "id")
        )

    def in_municipality(self, code: str) -> MeetingQuerySet:
        return self.filter(municipality__code=code)

    def in_area(self, area) -> MeetingQuerySet:
        return self.filter(areas=area)


# The fields of a meeting that may change after it is registered (see Meeting).
MEETING_CHANGING_FIELDS = ["cancelled_at", "cancelled_reason", "hidden_at", "hidden_reason"]


@pghistory.track(meta=append_only_history("meetingevent"))
class Meeting(NormalisedTextMixin, models.Model):
    """A public meeting, a workshop or a walk. A public record: never deleted.

    On the record (database triggers): what was announced never changes. Only these may
    change, and each only once: ``cancelled_at`` with ``cancelled_reason`` (the meeting is
    called off; the page says so and the calendars leave it out), and ``hidden_at`` with
    ``hidden_reason`` (a moderator hides it). ``created_by`` only becomes empty when that
    account is deleted. Every change leaves a history row.
    """

    municipality = models.ForeignKey(
        "areas.Municipality", models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    type = models.CharField(_("type"), max_length=20, choices=MeetingType.choices)
    title = models.CharField(_("title"), max_length=200, validators=[MinLengthValidator(3)])
    description = models.TextField(
        _("description"), max_length=5000, validators=[MaxLengthValidator(5000)], blank=True
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.PointField(_("place"), srid=STORAGE_SRID)
    place_name = models.CharField(_("place name"), max_length=200)
    case = models.ForeignKey(
        "cases.Case",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("case"),
    )
    areas = models.ManyToManyField(
        "areas.Area", related_name="meetings", blank=True, verbose_name=_("areas")
    )
    organisers = models.CharField(_("organisers"), max_length=300, blank=True)
    short_code = models.CharField(_("short code"), max_length=12, unique=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_reason = models.TextField(_("why it was cancelled"), blank=True, max_length=1000)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_reason = models.TextField(_("reason for hiding"), blank=True, max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["municipality", "starts_at"], name="meeting_muni_start")]
        triggers = [
            pgtrigger.Protect(name="meeting_never_deleted", operation=pgtrigger.Delete),
            never_truncated("meeting"),
            pgtrigger.ReadOnly(
                name="meeting_read_only",
                exclude=[*MEETING_CHANGING_FIELDS, "created_by", "place"],
            ),
            pgtrigger.Protect(
                name="meeting_place_read_only",
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    'OLD."place"::bytea IS DISTINCT FROM NEW."place"::bytea'
                ),
            ),
            only_cleared("meeting_created_by_only_cleared", "created_by"),
            pgtrigger.Protect(
                name="meeting_cancel_final",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__cancelled_at__isnull=False)
                & (
                    pgtrigger.Q(old__cancelled_at__df=pgtrigger.F("new__cancelled_at"))
                    | pgtrigger.Q(old__cancelled_reason__df=pgtrigger.F("new__cancelled_reason"))
                ),
            ),
            pgtrigger.Protect(
                name="meeting_hide_final",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__hidden_at__isnull=False)
                & (
                    pgtrigger.Q(old__hidden_at__df=pgtrigger.F("new__hidden_at"))
                    | pgtrigger.Q(old__hidden_reason__df=pgtrigger.F("new__hidden_reason"))
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])

    def follow_url(self) -> str:
        """The short form a participant reaches from the QR code."""
        return reverse("meetings:follow", args=[self.short_code])

    @property
    def is_public(self) -> bool:
        return self.hidden_at is None


# The fields of meeting input the status loop changes (see MeetingInput).
INPUT_CHANGING_FIELDS = ["status", "status_changed_at", "first_answered_at"]


@pghistory.track(meta=append_only_history("meetinginputevent"))
class MeetingInput(InputRecord):
    """Input gathered at a meeting (notes, places drawn on the paper maps, photos of the
    flip charts), recorded by a planner. A public record: never deleted.

    On the record (database triggers): what was recorded never changes; only the status
    loop's fields (``priorities.services.input_set_status``) and ``recorded_by``, only to
    NULL when that account is deleted. It has no author of its own (it is what the
    participants said, not the planner's): its followers are the participants who follow
    the meeting (``MeetingFollower``). The areas are the meeting's, and those of the drawn
    place.
    """

    meeting = models.ForeignKey(
        Meeting, models.PROTECT, related_name="inputs", verbose_name=_("meeting")
    )
    title = models.CharField(_("title"), max_length=200, validators=[MinLengthValidator(3)])
    notes = models.TextField(
        _("notes"), max_length=20000, validators=[MinLengthValidator(10), MaxLengthValidator(20000)]
    )
    geom = models.GeometryField(_("place drawn"), srid=STORAGE_SRID, null=True, blank=True)
    areas = models.ManyToManyField(
        "areas.Area", related_name="meeting_inputs", blank=True, verbose_name=_("areas")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("meeting input")
        verbose_name_plural = _("meeting input")
        triggers = [
            pgtrigger.Protect(name="meetinginput_never_deleted", operation=pgtrigger.Delete),
            never_truncated("meetinginput"),
            pgtrigger.ReadOnly(
                name="meetinginput_read_only",
                exclude=[*INPUT_CHANGING_FIELDS, "author", "recorded_by", "geom"],
            ),
            pgtrigger.Protect(
                name="meetinginput_place_read_only",
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    'OLD."geom"::bytea IS DISTINCT FROM NEW."geom"::bytea'
                ),
            ),
            only_cleared("meetinginput_author_only_cleared", "author"),
            only_cleared("meetinginput_recorded_by_only_cleared", "recorded_by"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return f"{self.meeting.get_absolute_url()}#input-{self.pk}"

    def followers(self):
        """The participants who confirmed that they follow the meeting."""
        return (
            self._meta.get_field("author")
            .related_model.objects.filter(
                meeting_follows__meeting=self.meeting_id,
                meeting_follows__confirmed_at__isnull=False,
            )
            .distinct()
        )

    @classmethod
    def followers_of(cls, records) -> dict[int, list]:
        """The confirmed followers of each record's meeting (by record id), in one query."""
        by_meeting = defaultdict(dict)
        follows = MeetingFollower.objects.filter(
            meeting__in={record.meeting_id for record in records},
            confirmed_at__isnull=False,
            user__isnull=False,
        ).select_related("user")
        for follow in follows.order_by("pk"):
            by_meeting[follow.meeting_id].setdefault(follow.user_id, follow.user)
        return {record.pk: list(by_meeting[record.meeting_id].values()) for record in records}


@pghistory.track(meta=append_only_history("meetinginputstatuschangeevent"))
class MeetingInputStatusChange(StatusChange):
    """A step of meeting input's feedback loop (see ``priorities.models.StatusChange``)."""

    record = models.ForeignKey(MeetingInput, models.PROTECT, related_name="status_changes")

    class Meta(StatusChange.Meta):
        triggers = status_change_triggers("meetinginputstatuschange")


@pghistory.track(meta=append_only_history("meetinginputcaselinkevent"))
class MeetingInputCaseLink(CaseLink):
    """Meeting input linked to a case (see ``priorities.models.CaseLink``)."""

    record = models.ForeignKey(MeetingInput, models.PROTECT, related_name="case_links")

    class Meta(CaseLink.Meta):
        constraints, indexes, triggers = case_link_meta("meetinginputcaselink")


@pghistory.track(meta=append_only_history("meetinginputreplyevent"))
class MeetingInputReply(Reply):
    """An elected member's reply to meeting input (see ``priorities.models.Reply``). Meeting
    input has no author of its own, so it gets no answer back; its followers hear of it."""

    record = models.ForeignKey(MeetingInput, models.PROTECT, related_name="replies")

    class Meta(Reply.Meta):
        constraints, indexes, triggers = reply_meta("meetinginputreply")


class MeetingPhoto(models.Model):
    """A photo of a flip chart or a paper map, with its alternative text. Part of the
    record: never deleted, never changed (database triggers). The file is our own
    re-encoding of the upload (``meetings.photos``), without its metadata."""

    input = models.ForeignKey(MeetingInput, models.PROTECT, related_name="photos")
    image = models.FileField(upload_to="meetings/%Y/")
    alt_text = models.CharField(
        _("alternative text"), max_length=500, validators=[MinLengthValidator(5)]
    )
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        triggers = [
            pgtrigger.Protect(name="meetingphoto_never_deleted", operation=pgtrigger.Delete),
            never_truncated("meetingphoto"),
            pgtrigger.ReadOnly(name="meetingphoto_read_only"),
        ]

    def __str__(self) -> str:
        return self.alt_text


@pghistory.track()
class ParticipantCount(models.Model):
    """How many took part in a meeting in one age group (where it was asked)."""

    meeting = models.ForeignKey(Meeting, models.PROTECT, related_name="participant_counts")
    age_group = models.CharField(_("age group"), max_length=10, choices=AgeGroup.choices)
    count = models.PositiveIntegerField(_("participants"))

    class Meta:
        ordering = ["meeting", "age_group"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "age_group"], name="participantcount_unique")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.age_group}: {self.count}"


class MeetingFollower(models.Model):
    """A participant who left an e-mail address to follow what happens to a meeting's input.

    Until the address is confirmed (the signed link e-mailed to it) nothing is sent but that
    link. On confirmation the address is given an account (``user``): the existing account
    with that address, or a new one without a password that the loop's e-mails go to (see
    ``meetings.services.follower_confirm``).
    """

    meeting = models.ForeignKey(Meeting, models.PROTECT, related_name="followers")
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(_("language"), max_length=5, default="nb")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="meeting_follows",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "email"], name="meetingfollower_unique")
        ]

    def __str__(self) -> str:
        return f"follower {self.pk} of {self.meeting_id}"
