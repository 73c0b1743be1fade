"""Local councils and what they file.

- ``CouncilKind``, ``Council``, ``CouncilMembership``: local councils (grendeutval,
  youth councils, neighbourhood associations) and their members and secretaries.
- ``Submission`` (uttalelse, innspill, årsmelding): a council's formal input, a kind of
  input in the one feedback loop (``SubmissionStatusChange``, ``SubmissionCaseLink``),
  with its PDF attachments and the headings secretaries fill in.
- ``Consultation``: a request to councils for a statement on a case, by a deadline.
"""

from __future__ import annotations

from collections import defaultdict

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.no import orgnr

from areas.models import STORAGE_SRID, Area, Municipality
from core.history import append_only_history, never_truncated, only_cleared
from core.models import TranslatedName
from core.text import NormalisedTextMixin
from councils.querysets import SubmissionQuerySet
from priorities.models import (
    CaseLink,
    InputRecord,
    Reply,
    StatusChange,
    case_link_meta,
    reply_meta,
    status_change_triggers,
)


def validate_organisation_number(value: str) -> None:
    """A Norwegian organisation number (organisasjonsnummer): nine digits with a mod-11
    check digit (python-stdnum's ``stdnum.no.orgnr``)."""
    try:
        orgnr.validate(value)
    except stdnum_errors.InvalidChecksum as exc:
        raise ValidationError(_("This organisation number's check digit is wrong.")) from exc
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            _("An organisation number has nine digits, e.g. 923 609 016.")
        ) from exc


class CouncilKind(TranslatedName):
    """A kind of local council: kommunedelsutvalg/grendeutval, ungdomsråd, eldreråd …"""

    slug = models.SlugField(_("slug"), unique=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("council kind")
        verbose_name_plural = _("council kinds")

    def __str__(self) -> str:
        return self.name


class Council(NormalisedTextMixin, models.Model):
    """A local council (lokalt råd): a formal body of the municipality (kommuneloven § 5-7,
    § 5-12) such as a grendeutval or a youth council, or an independent association such as
    a neighbourhood council (nærmiljøråd) with its organisation number."""

    municipality = models.ForeignKey(
        Municipality, models.PROTECT, related_name="councils", verbose_name=_("municipality")
    )
    kind = models.ForeignKey(
        CouncilKind, models.PROTECT, related_name="councils", verbose_name=_("kind")
    )
    name = models.CharField(_("name"), max_length=200)
    areas = models.ManyToManyField(
        Area, related_name="councils", verbose_name=_("areas it speaks for"), blank=True
    )
    is_formal = models.BooleanField(
        _("formal body of the municipality"),
        default=True,
        help_text=_(
            "Formal bodies (kommuneloven § 5-7, § 5-12) file statements adopted in a meeting."
        ),
    )
    organisation_number = models.CharField(
        _("organisation number"),
        max_length=11,
        blank=True,
        validators=[validate_organisation_number],
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("council")
        verbose_name_plural = _("councils")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="council_unique_name"),
            models.CheckConstraint(
                condition=Q(is_formal=True) | ~Q(organisation_number=""),
                name="council_association_has_orgnr",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("councils:detail", args=[self.pk])

    def has_secretary(self, user) -> bool:
        """Whether the account is one of this council's secretaries (who file for it)."""
        return (
            user.is_authenticated
            and self.memberships.filter(user=user, role=CouncilMembership.Role.SECRETARY).exists()
        )


class CouncilMembership(models.Model):
    """An account's place in a council: member, or secretary (who files submissions)."""

    class Role(models.TextChoices):
        MEMBER = "member", _("member")
        SECRETARY = "secretary", _("secretary")

    council = models.ForeignKey(Council, models.CASCADE, related_name="memberships")
    user = models.ForeignKey("accounts.User", models.CASCADE, related_name="council_memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        verbose_name = _("council membership")
        verbose_name_plural = _("council memberships")
        constraints = [
            models.UniqueConstraint(fields=["council", "user"], name="councilmembership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.council_id} ({self.role})"


# The fields of a submission that the status loop and a withdrawal change (see Submission).
SUBMISSION_CHANGING_FIELDS = [
    "status",
    "status_changed_at",
    "first_answered_at",
    "withdrawn_at",
    "withdrawn_reason",
]


class SubmissionKind(models.TextChoices):
    STATEMENT = "statement", _("statement (uttalelse)")
    INPUT = "input", _("input (innspill)")
    ANNUAL_REPORT = "annual_report", _("annual report (årsmelding)")


@pghistory.track(meta=append_only_history("submissionevent"))
class Submission(InputRecord):
    """A formal submission from a local council: a statement adopted in a meeting, an input,
    or an association's annual report. A public record: never deleted, only withdrawn.

    On the record (database triggers, so ORM, bulk updates and raw SQL alike): what the
    council filed never changes. Only these fields may change:

    - ``status``, ``status_changed_at``, ``first_answered_at``: the status loop
      (``priorities.services.input_set_status``), which also appends a status change;
    - ``withdrawn_at``, ``withdrawn_reason``: set once by ``submission_withdraw``; a
      withdrawal is never undone or reworded;
    - ``author``: only to NULL, when the secretary's account is deleted;

    The case it is about is a link (``SubmissionCaseLink``, the one place for "linked to a
    case"). The areas (many-to-many) are set when the submission is filed. Every change leaves
    a history row (pghistory) with the actor and the request.
    """

    council = models.ForeignKey(
        Council, models.PROTECT, related_name="submissions", verbose_name=_("council")
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=SubmissionKind.choices, default=SubmissionKind.STATEMENT
    )
    title = models.CharField(_("title"), max_length=200, validators=[MinLengthValidator(3)])
    text = models.TextField(
        _("text"), max_length=20000, validators=[MinLengthValidator(10), MaxLengthValidator(20000)]
    )
    meeting_date = models.DateField(_("adopted in the meeting of"), null=True, blank=True)
    minutes_reference = models.CharField(_("minutes reference"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(_("year reported on"), null=True, blank=True)
    geom = models.GeometryField(_("place"), srid=STORAGE_SRID, null=True, blank=True)
    areas = models.ManyToManyField(
        "areas.Area", related_name="submissions", blank=True, verbose_name=_("areas")
    )
    consultation = models.ForeignKey(
        "Consultation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name=_("answers the consultation"),
    )
    late = models.BooleanField(_("filed after the deadline"), default=False)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)

    objects = SubmissionQuerySet.as_manager()

    status_field = "submission"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        triggers = [
            pgtrigger.Protect(name="submission_never_deleted", operation=pgtrigger.Delete),
            never_truncated("submission"),
            pgtrigger.ReadOnly(
                name="submission_filed_text_read_only",
                exclude=[*SUBMISSION_CHANGING_FIELDS, "author", "geom"],
            ),
            # The place, compared as bytes: "geometry IS DISTINCT FROM geometry" needs
            # PostGIS's "=" from the search path, which pg_dump's restore leaves empty.
            pgtrigger.Protect(
                name="submission_place_read_only",
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    'OLD."geom"::bytea IS DISTINCT FROM NEW."geom"::bytea'
                ),
            ),
            only_cleared("submission_author_only_cleared", "author"),
            pgtrigger.Protect(
                name="submission_withdrawal_final",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__withdrawn_at__isnull=False)
                & (
                    pgtrigger.Q(old__withdrawn_at__df=pgtrigger.F("new__withdrawn_at"))
                    | pgtrigger.Q(old__withdrawn_reason__df=pgtrigger.F("new__withdrawn_reason"))
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("councils:submission", args=[self.pk])

    def followers(self):
        """The council's secretaries and members hear about answers to what it filed."""
        return (
            self._meta.get_field("author")
            .related_model.objects.filter(council_memberships__council=self.council_id)
            .distinct()
        )

    @classmethod
    def followers_of(cls, records) -> dict[int, list]:
        """The members of each submission's council (by submission id), in one query."""
        members = defaultdict(dict)
        memberships = CouncilMembership.objects.filter(
            council__in={record.council_id for record in records}
        ).select_related("user")
        for membership in memberships.order_by("pk"):
            members[membership.council_id].setdefault(membership.user_id, membership.user)
        return {record.pk: list(members[record.council_id].values()) for record in records}


@pghistory.track(meta=append_only_history("submissionstatuschangeevent"))
class SubmissionStatusChange(StatusChange):
    """A step of a submission's feedback loop (see ``priorities.models.StatusChange``)."""

    record = models.ForeignKey(Submission, models.PROTECT, related_name="status_changes")

    class Meta(StatusChange.Meta):
        triggers = status_change_triggers("submissionstatuschange")


@pghistory.track(meta=append_only_history("submissioncaselinkevent"))
class SubmissionCaseLink(CaseLink):
    """A submission linked to a case (see ``priorities.models.CaseLink``)."""

    record = models.ForeignKey(Submission, models.PROTECT, related_name="case_links")

    class Meta(CaseLink.Meta):
        constraints, indexes, triggers = case_link_meta("submissioncaselink")


@pghistory.track(meta=append_only_history("submissionreplyevent"))
class SubmissionReply(Reply):
    """An elected member's reply to a council's submission, or the answer back (see
    ``priorities.models.Reply``)."""

    record = models.ForeignKey(Submission, models.PROTECT, related_name="replies")

    class Meta(Reply.Meta):
        constraints, indexes, triggers = reply_meta("submissionreply")


@pghistory.track(meta=append_only_history("submissionattachmentevent"))
class SubmissionAttachment(models.Model):
    """A PDF attached to a submission. Part of the record: never deleted, never changed
    (database triggers); its ``sha256`` is the checksum of the file as uploaded."""

    submission = models.ForeignKey(Submission, models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="submissions/%Y/")
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = [
            pgtrigger.Protect(name="attachment_never_deleted", operation=pgtrigger.Delete),
            never_truncated("attachment"),
            pgtrigger.ReadOnly(name="attachment_read_only"),
        ]

    def __str__(self) -> str:
        return self.name


class SubmissionTemplate(NormalisedTextMixin, models.Model):
    """Headings a secretary fills in (Suldal's councils have little administrative help)."""

    municipality = models.ForeignKey(
        "areas.Municipality", models.CASCADE, related_name="submission_templates"
    )
    name = models.CharField(_("name"), max_length=100)
    headings = models.TextField(_("headings"), help_text=_("One heading per line."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("submission template")
        verbose_name_plural = _("submission templates")

    def __str__(self) -> str:
        return self.name

    def as_text(self) -> str:
        """The headings as a text to fill in."""
        return "\n\n".join(
            f"{line.strip()}\n" for line in self.headings.splitlines() if line.strip()
        )


@pghistory.track(meta=append_only_history("consultationevent"))
class Consultation(NormalisedTextMixin, models.Model):
    """A request to one or more councils for a statement on a case (høring), with a deadline
    set before the elected body's meeting.

    On the record (database triggers): never deleted, and what was asked never changes.
    The one change allowed is moving the deadline later (an extension); every change
    leaves a history row (pghistory) with the actor and the request.
    """

    case = models.ForeignKey(
        "cases.Case", models.PROTECT, related_name="consultations", verbose_name=_("case")
    )
    councils = models.ManyToManyField(
        Council, related_name="consultations", verbose_name=_("councils asked")
    )
    deadline = models.DateField(_("deadline"))
    summary = models.TextField(_("plain-language summary"), max_length=5000)
    questions = models.TextField(_("questions for reflection"), blank=True, max_length=5000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        triggers = [
            pgtrigger.Protect(name="consultation_never_deleted", operation=pgtrigger.Delete),
            never_truncated("consultation"),
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
        return timezone.localdate() > self.deadline
