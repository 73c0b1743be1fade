"""Hearings (høringer) on a case, and the answers to them.

- ``Hearing``: a case put out for answers by a deadline, to everyone or to invited councils
  and organisations, with its documents (``HearingDocument``).
- ``HearingAnswer`` (høringssvar): a kind of input in the one feedback loop
  (``HearingAnswerStatusChange``, ``HearingAnswerCaseLink``), with its PDF attachments
  (``HearingAnswerAttachment``); from a resident, an organisation or a local council.
- ``HearingTheme``: the planner's summary of the answers, theme by theme, each theme
  linking the answers it covers.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.models import STORAGE_SRID
from core.history import append_only_history, never_truncated, only_cleared
from core.text import NormalisedTextMixin
from councils.models import Council, validate_organisation_number
from hearings.querysets import (
    HearingAnswerQuerySet,
    HearingQuerySet,
    PublicHearingAnswerManager,
)
from priorities.models import (
    CaseLink,
    InputRecord,
    Reply,
    StatusChange,
    case_link_meta,
    reply_meta,
    status_change_triggers,
)


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("everyone")
    INVITED = "invited", _("invited councils and organisations only")


class Publication(models.TextChoices):
    AT_ONCE = "at_once", _("published at once")
    AFTER_REVIEW = "after_review", _("published after a moderator has looked at them")


@pghistory.track(meta=append_only_history("hearingevent"))
class Hearing(NormalisedTextMixin, models.Model):
    """A hearing (høring) on a case: what will be decided, by whom and when, put out for
    answers from ``opens_on`` to ``closes_on`` (the deadline).

    On the record (database triggers): never deleted, and what was put out never changes.
    The one change allowed is moving the deadline later (an extension); every change
    leaves a history row (pghistory).
    """

    case = models.ForeignKey(
        "cases.Case", models.PROTECT, related_name="hearings", verbose_name=_("case")
    )
    title = models.CharField(_("title"), max_length=200, validators=[MinLengthValidator(3)])
    decision = models.TextField(
        _("what will be decided, by whom and when"),
        max_length=5000,
        validators=[MinLengthValidator(10), MaxLengthValidator(5000)],
    )
    questions = models.TextField(
        _("questions"), blank=True, max_length=5000, validators=[MaxLengthValidator(5000)]
    )
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("deadline"))
    audience = models.CharField(
        _("who may answer"), max_length=10, choices=Audience.choices, default=Audience.EVERYONE
    )
    invited_councils = models.ManyToManyField(
        Council, blank=True, related_name="hearings", verbose_name=_("invited councils")
    )
    invited_emails = ArrayField(
        models.EmailField(max_length=254),
        default=list,
        blank=True,
        verbose_name=_("invited organisations (e-mail addresses)"),
    )
    publication = models.CharField(
        _("answers are"),
        max_length=20,
        choices=Publication.choices,
        default=Publication.AT_ONCE,
    )
    consultation = models.OneToOneField(
        "councils.Consultation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="hearing",
        verbose_name=_("made from the request for statements"),
        help_text=_("The councils' statements filed on it are listed with the hearing."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HearingQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="hearing_closes_after_opening"
            )
        ]
        triggers = [
            pgtrigger.Protect(name="hearing_never_deleted", operation=pgtrigger.Delete),
            never_truncated("hearing"),
            pgtrigger.ReadOnly(name="hearing_read_only", exclude=["closes_on"]),
            pgtrigger.Protect(
                name="hearing_deadline_only_extended",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__closes_on__gt=pgtrigger.F("new__closes_on")),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("hearings:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.opens_on <= timezone.localdate() <= self.closes_on

    @property
    def is_past_deadline(self) -> bool:
        return timezone.localdate() > self.closes_on


@pghistory.track(meta=append_only_history("hearingdocumentevent"))
class HearingDocument(models.Model):
    """A PDF put out with a hearing. Never changed or deleted (database triggers)."""

    hearing = models.ForeignKey(Hearing, models.PROTECT, related_name="documents")
    file = models.FileField(upload_to="hearings/%Y/")
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        triggers = [
            pgtrigger.Protect(name="hearingdocument_never_deleted", operation=pgtrigger.Delete),
            never_truncated("hearingdocument"),
            pgtrigger.ReadOnly(name="hearingdocument_read_only"),
        ]

    def __str__(self) -> str:
        return self.name


class Respondent(models.TextChoices):
    RESIDENT = "resident", _("a resident")
    ORGANISATION = "organisation", _("an organisation")
    COUNCIL = "council", _("a local council")


class AnswerVisibility(models.TextChoices):
    PUBLIC = "public", _("public")
    PENDING_REVIEW = "pending_review", _("waiting for a moderator")
    HIDDEN = "hidden", _("hidden by a moderator")


# The fields of an answer that the status loop and moderation change (see HearingAnswer).
ANSWER_CHANGING_FIELDS = [
    "status",
    "status_changed_at",
    "first_answered_at",
    "visibility",
    "hidden_reason",
]


@pghistory.track(meta=append_only_history("hearinganswerevent"))
class HearingAnswer(InputRecord):
    """An answer to a hearing (høringssvar): a public record once a moderator allows it
    (or at once, as the hearing says), never deleted.

    On the record (database triggers): what was answered never changes. Only the status
    loop's fields, the moderation (``visibility``, ``hidden_reason``) and ``author`` (to
    NULL, when the account is closed) may change.
    """

    hearing = models.ForeignKey(
        Hearing, models.PROTECT, related_name="answers", verbose_name=_("hearing")
    )
    respondent = models.CharField(
        _("answered by"), max_length=20, choices=Respondent.choices, default=Respondent.RESIDENT
    )
    text = models.TextField(
        _("answer"),
        max_length=20000,
        validators=[MinLengthValidator(10), MaxLengthValidator(20000)],
    )
    signed_name = models.CharField(_("name shown with the answer"), max_length=200, blank=True)
    name_withheld = models.BooleanField(_("name withheld publicly"), default=False)
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    organisation_number = models.CharField(
        _("organisation number"),
        max_length=11,
        blank=True,
        validators=[validate_organisation_number],
    )
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    council = models.ForeignKey(
        Council,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="hearing_answers",
        verbose_name=_("council"),
    )
    geom = models.GeometryField(_("place"), srid=STORAGE_SRID, null=True, blank=True)
    areas = models.ManyToManyField(
        "areas.Area", related_name="hearing_answers", blank=True, verbose_name=_("areas")
    )
    late = models.BooleanField(_("answered after the deadline"), default=False)
    visibility = models.CharField(
        _("visibility"),
        max_length=20,
        choices=AnswerVisibility.choices,
        default=AnswerVisibility.PUBLIC,
    )
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)

    # No plain ``objects``: a view must say whether it may see answers not yet published.
    public_objects = PublicHearingAnswerManager()
    all_objects = HearingAnswerQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("hearing answer")
        verbose_name_plural = _("hearing answers")
        base_manager_name = "all_objects"
        default_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["hearing", "visibility", "-created_at", "-id"], name="answer_list")
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(respondent="council") | Q(council__isnull=False),
                name="hearinganswer_council_named",
            ),
            models.CheckConstraint(
                condition=~Q(respondent="organisation") | ~Q(organisation_number=""),
                name="hearinganswer_organisation_numbered",
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="hearinganswer_never_deleted", operation=pgtrigger.Delete),
            never_truncated("hearinganswer"),
            pgtrigger.ReadOnly(
                name="hearinganswer_read_only",
                exclude=[*ANSWER_CHANGING_FIELDS, "author", "geom"],
            ),
            # The place, compared as bytes (see councils.models.Submission).
            pgtrigger.Protect(
                name="hearinganswer_place_read_only",
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    'OLD."geom"::bytea IS DISTINCT FROM NEW."geom"::bytea'
                ),
            ),
            only_cleared("hearinganswer_author_only_cleared", "author"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("hearings:answer_detail", args=[self.pk])

    @property
    def title(self) -> str:
        """How the answer is named in lists, receipts and e-mails: the hearing's title."""
        return self.hearing.title

    @property
    def is_public(self) -> bool:
        return self.visibility == AnswerVisibility.PUBLIC

    @property
    def public_name(self) -> str:
        """Who answered, as the public record shows it ("" when the name is withheld)."""
        if self.respondent == Respondent.COUNCIL and self.council_id:
            return self.council.name
        if self.respondent == Respondent.ORGANISATION:
            return self.organisation_name
        return "" if self.name_withheld else self.signed_name


@pghistory.track(meta=append_only_history("hearinganswerstatuschangeevent"))
class HearingAnswerStatusChange(StatusChange):
    """A step of a hearing answer's feedback loop (see ``priorities.models.StatusChange``)."""

    record = models.ForeignKey(HearingAnswer, models.PROTECT, related_name="status_changes")

    class Meta(StatusChange.Meta):
        triggers = status_change_triggers("hearinganswerstatuschange")


@pghistory.track(meta=append_only_history("hearinganswercaselinkevent"))
class HearingAnswerCaseLink(CaseLink):
    """A hearing answer linked to a case (see ``priorities.models.CaseLink``)."""

    record = models.ForeignKey(HearingAnswer, models.PROTECT, related_name="case_links")

    class Meta(CaseLink.Meta):
        constraints, indexes, triggers = case_link_meta("hearinganswercaselink")


@pghistory.track(meta=append_only_history("hearinganswerreplyevent"))
class HearingAnswerReply(Reply):
    """An elected member's reply to a hearing answer, or its author's answer back (see
    ``priorities.models.Reply``)."""

    record = models.ForeignKey(HearingAnswer, models.PROTECT, related_name="replies")

    class Meta(Reply.Meta):
        constraints, indexes, triggers = reply_meta("hearinganswerreply")


@pghistory.track(meta=append_only_history("hearinganswerattachmentevent"))
class HearingAnswerAttachment(models.Model):
    """A PDF attached to an answer: part of the record, never changed or deleted."""

    answer = models.ForeignKey(HearingAnswer, models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="hearing-answers/%Y/")
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        triggers = [
            pgtrigger.Protect(
                name="hearinganswerattachment_never_deleted", operation=pgtrigger.Delete
            ),
            never_truncated("hearinganswerattachment"),
            pgtrigger.ReadOnly(name="hearinganswerattachment_read_only"),
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class HearingTheme(NormalisedTextMixin, models.Model):
    """One theme of the planner's summary of a hearing, with the answers it covers. Edited
    by planners; every version stays in the history (pghistory)."""

    hearing = models.ForeignKey(Hearing, models.PROTECT, related_name="themes")
    title = models.CharField(_("theme"), max_length=200, validators=[MinLengthValidator(3)])
    text = models.TextField(
        _("summary"),
        max_length=10000,
        validators=[MinLengthValidator(10), MaxLengthValidator(10000)],
    )
    answers = models.ManyToManyField(
        HearingAnswer, blank=True, related_name="themes", verbose_name=_("answers it covers")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.title


class UnconfirmedAnswer(NormalisedTextMixin, models.Model):
    """An answer from someone not logged in, kept until the e-mail address given with it is
    confirmed through the signed link sent to it (``hearings.links``).

    Not on the record yet: not counted, published or in the feedback loop. Confirming it
    makes the ``HearingAnswer`` (``answer``), as its author's account; one never confirmed
    is deleted by a nightly job once its link has expired, as are these rows of confirmed
    ones (the answer itself stays).
    """

    hearing = models.ForeignKey(Hearing, models.PROTECT, related_name="unconfirmed_answers")
    email = models.EmailField(_("e-mail address"), max_length=254)
    language = models.CharField(max_length=10)
    text = models.TextField(
        _("answer"),
        max_length=20000,
        validators=[MinLengthValidator(10), MaxLengthValidator(20000)],
    )
    signed_name = models.CharField(_("name shown with the answer"), max_length=200, blank=True)
    name_withheld = models.BooleanField(_("name withheld publicly"), default=False)
    geom = models.GeometryField(_("place"), srid=STORAGE_SRID, null=True, blank=True)
    areas = models.ManyToManyField("areas.Area", related_name="+", blank=True)
    # When it was sent: an answer confirmed after the deadline is late only if it was sent
    # after it.
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    answer = models.OneToOneField(
        HearingAnswer, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.hearing}: {self.email}"


class UnconfirmedAnswerAttachment(models.Model):
    """A PDF sent with an unconfirmed answer; its file becomes the answer's attachment when
    the answer is confirmed, and is deleted with the row when it never is."""

    unconfirmed = models.ForeignKey(UnconfirmedAnswer, models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="hearing-answers/%Y/")
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
