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

import pghistory
from django.conf import settings
from django.contrib.gis.db import models as gis_models
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinLengthValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import STORAGE_SRID
from core.text import NormalisedTextMixin
from panels.querysets import PanelQuerySet, RegisterPersonQuerySet, VolunteerQuerySet


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
    # Part A: the lottery's rules and the register's retention.
    minimum_age = models.PositiveSmallIntegerField(
        _("minimum age"),
        default=16,
        validators=[MinValueValidator(13), MaxValueValidator(100)],
        help_text=_("Only people at least this old (this year) are invited."),
    )
    quota_tolerance = models.PositiveSmallIntegerField(
        _("quota tolerance (per cent)"),
        default=10,
        validators=[MaxValueValidator(50)],
        help_text=_(
            "How far each group's number of members may lie from its share of the population."
        ),
    )
    retention_days = models.PositiveSmallIntegerField(
        _("days the register is kept after closing"),
        default=0,
        validators=[MaxValueValidator(90)],
        help_text=_("0: the register extract is deleted when the panel closes; at most 90."),
    )
    seed = models.CharField(
        _("lottery seed"),
        max_length=40,
        blank=True,
        help_text=_("Published, so that anyone can repeat the draw; empty: chosen at random."),
    )
    invited_at = models.DateTimeField(_("invitations drawn"), null=True, blank=True)
    selected_at = models.DateTimeField(_("panel chosen"), null=True, blank=True)
    members_told_at = models.DateTimeField(_("members told"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = PanelQuerySet.as_manager()

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
    # Part A: the invitation answered (gone with the register), the language of the
    # e-mails, and when each was sent (sent once: the job writes the time as it sends).
    invitation = models.OneToOneField(
        "panels.Invitation", models.SET_NULL, null=True, blank=True, related_name="volunteer"
    )
    language = models.CharField(_("language"), max_length=5, default="nb")
    receipt_sent_at = models.DateTimeField(null=True, blank=True)
    told_at = models.DateTimeField(null=True, blank=True)

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        ordering = ["panel", "created_at"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        indexes = [models.Index(fields=["panel", "status"])]

    def __str__(self) -> str:
        return self.name


# --- Members' access, information beforehand, sessions' summaries and the follow-up survey --
# (issue 16, items 4–6: panels/members.py, information.py, survey.py, member_views.py)


class MemberAccess(models.Model):
    """A selected member's personal link to the panel's member area (no log-in needed).

    The link is a signed token naming this row and its ``nonce``: a guessed or changed
    token fails its signature; ``revoked_at`` (or a new nonce, when a new link is sent)
    makes every earlier link fail. ``user`` is the account the panel's e-mails go to (the
    open account with the member's address, or one made without a password, as for a
    meeting's participants), so they are sent once (``accounts.notifications.send_once``)
    and in that account's language.
    """

    volunteer = models.OneToOneField(
        Volunteer, models.PROTECT, related_name="access", verbose_name=_("member")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    nonce = models.CharField(max_length=32)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("member's link")
        verbose_name_plural = _("members' links")

    def __str__(self) -> str:
        return str(self.volunteer)


class ThemeDocument(models.Model):
    """A PDF members read about a theme beforehand (checked by content as councils'
    attachments are, ``councils.attachments``)."""

    theme = models.ForeignKey(PanelTheme, models.PROTECT, related_name="documents")
    file = models.FileField(upload_to="panels/%Y/")
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["theme", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class SessionDetail(NormalisedTextMixin, models.Model):
    """What a session adds to its meeting: the link of a digital session (for members only)
    and the planner's summary of the session, which goes into the case's digest."""

    session = models.OneToOneField(PanelSession, models.PROTECT, related_name="detail")
    link = models.URLField(_("link to the digital meeting"), blank=True, max_length=500)
    summary = models.TextField(_("summary of the session"), blank=True, max_length=20000)
    summary_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary_at = models.DateTimeField(_("summary written"), null=True, blank=True)

    class Meta:
        verbose_name = _("session details")
        verbose_name_plural = _("session details")

    def __str__(self) -> str:
        return str(self.session)


@pghistory.track()
class Survey(NormalisedTextMixin, models.Model):
    """The panel's follow-up survey: built by the planner, opened, answered once by each
    member, closed. Its questions do not change once it is opened."""

    panel = models.OneToOneField(Panel, models.PROTECT, related_name="survey")
    intro = models.TextField(_("introduction"), blank=True, max_length=5000)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return str(self.panel)

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None and self.closed_at is None


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("single choice")
    MULTIPLE = "multiple", _("multiple choice")
    SCALE = "scale", _("scale")
    TEXT = "text", _("free text")


class Question(NormalisedTextMixin, models.Model):
    """A question of the survey. Choices are answered by their number in ``options``; a
    scale runs from ``scale_min`` to ``scale_max``; free text is optional, the others not."""

    survey = models.ForeignKey(Survey, models.PROTECT, related_name="questions")
    kind = models.CharField(_("kind of question"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=500, validators=[MinLengthValidator(3)])
    options = ArrayField(
        models.CharField(max_length=200), verbose_name=_("options"), default=list, blank=True
    )
    scale_min = models.SmallIntegerField(_("scale from"), default=1)
    scale_max = models.SmallIntegerField(_("scale to"), default=5)
    scale_min_label = models.CharField(_("label of the lowest"), max_length=100, blank=True)
    scale_max_label = models.CharField(_("label of the highest"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["survey", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scale_min__lt=models.F("scale_max")),
                name="panel_question_scale_order",
            )
        ]

    def __str__(self) -> str:
        return self.text


class SurveyResponse(models.Model):
    """One member's answers to the survey: at most one (a unique constraint). ``strata`` is
    the member's age group, gender and area when they answered, the only thing the results
    are broken down by."""

    survey = models.ForeignKey(Survey, models.PROTECT, related_name="responses")
    volunteer = models.ForeignKey(Volunteer, models.PROTECT, related_name="+")
    strata = models.JSONField(default=dict)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "volunteer"], name="panel_survey_answered_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.pk}"


class SurveyAnswer(models.Model):
    """The answer to one question: the chosen options' numbers, a scale value or a text."""

    response = models.ForeignKey(SurveyResponse, models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, models.PROTECT, related_name="answers")
    choices = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True)
    value = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, max_length=2000)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="panel_survey_answer_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"


# --- Part A: set-up, the register extract, the invitation lottery, the final selection ----
#
# Register data (RegisterPerson, Invitation) lives in its own PostgreSQL schema,
# ``panel_register``, made by migration 0002: apart from every other table, never in the
# API, an export, a digest or an admin list, and deleted when the panel closes or
# ``Panel.retention_days`` after. What is left is a RegisterDeletion: when, how many rows,
# by whom or what.

REGISTER_SCHEMA = "panel_register"
# The most days register data may be kept after the panel closes.
RETENTION_DAYS_MAX = 90


class RegisterUpload(models.Model):
    """What was uploaded as the panel's register extract (no personal data): when, by whom,
    how many people, the file's encoding and separator, and its extra columns (candidate
    strata)."""

    panel = models.OneToOneField(Panel, models.CASCADE, related_name="register_upload")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now=True)
    rows = models.PositiveIntegerField(_("people"))
    encoding = models.CharField(_("encoding"), max_length=20)
    delimiter = models.CharField(_("separator"), max_length=1)
    columns = ArrayField(
        models.CharField(max_length=40),
        verbose_name=_("other columns"),
        default=list,
        blank=True,
    )

    class Meta:
        verbose_name = _("register extract")
        verbose_name_plural = _("register extracts")

    def __str__(self) -> str:
        return f"{self.panel}: {self.rows}"


class RegisterPerson(models.Model):
    """One person of the register extract (schema ``panel_register``): an opaque id from
    the extract, birth year, gender, where they live and the area of the panel's area type
    it lies in, their household, the postal address for the letter, other columns."""

    # No constraints from the register's schema to public tables: Django's test flush
    # TRUNCATEs only the tables it sees in public, and PostgreSQL refuses to truncate a
    # table referenced by a constraint from a table left out (migration 0002 deletes the
    # register's rows when panels_panel is truncated instead). Panels and areas are never
    # deleted (PROTECT), and the register goes with its panel's deletion record.
    panel = models.ForeignKey(Panel, models.DO_NOTHING, related_name="+", db_constraint=False)
    line = models.PositiveIntegerField()
    person_id = models.CharField(max_length=64)
    birth_year = models.PositiveSmallIntegerField()
    gender = models.CharField(max_length=1)
    address = models.CharField(max_length=200, blank=True)
    household = models.CharField(max_length=200, blank=True)
    postal_address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    post_town = models.CharField(max_length=100, blank=True)
    point = gis_models.PointField(srid=STORAGE_SRID, null=True, spatial_index=True)
    area = models.ForeignKey(
        "areas.Area", models.DO_NOTHING, null=True, related_name="+", db_constraint=False
    )
    inside = models.BooleanField(default=False)
    extra = models.JSONField(default=dict)

    objects = RegisterPersonQuerySet.as_manager()

    class Meta:
        db_table = f'{REGISTER_SCHEMA}"."person'
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["panel", "person_id"], name="register_person_unique")
        ]

    def __str__(self) -> str:
        return f"register person {self.pk}"


class Invitation(models.Model):
    """An invitation drawn in the lottery (schema ``panel_register``): its signed code, the
    person it is addressed to, and when it was used."""

    panel = models.ForeignKey(Panel, models.DO_NOTHING, related_name="+", db_constraint=False)
    person = models.OneToOneField(RegisterPerson, models.CASCADE, related_name="invitation")
    code = models.CharField(max_length=12, unique=True)
    drawn = models.PositiveIntegerField()
    used_at = models.DateTimeField(null=True)

    class Meta:
        db_table = f'{REGISTER_SCHEMA}"."invitation'
        default_permissions = ()
        ordering = ["panel", "drawn"]

    def __str__(self) -> str:
        return f"invitation {self.pk}"


class DeletionReason(models.TextChoices):
    CLOSED = "closed", _("the panel closed")
    RETENTION = "retention", _("the retention period ended")
    REPLACED = "replaced", _("a new extract replaced it")


class RegisterDeletion(models.Model):
    """The record that a panel's register data was deleted: when, how many rows, by whom
    (a planner) or what (the nightly job)."""

    panel = models.ForeignKey(Panel, models.CASCADE, related_name="register_deletions")
    deleted_at = models.DateTimeField(_("deleted"), auto_now_add=True)
    people = models.PositiveIntegerField(_("people"))
    invitations = models.PositiveIntegerField(_("invitations"))
    reason = models.CharField(_("why"), max_length=10, choices=DeletionReason.choices)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deleted by"),
    )

    class Meta:
        ordering = ["panel", "deleted_at"]
        verbose_name = _("register deletion")
        verbose_name_plural = _("register deletions")

    def __str__(self) -> str:
        return f"{self.panel}: {self.people} ({self.deleted_at:%Y-%m-%d})"
