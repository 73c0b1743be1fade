"""What councils' secretaries and the staff do with councils: file and withdraw
submissions, ask for statements. Multi-model writes, each in one transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.models import Area
from areas.validation import place_check
from councils import tasks
from councils.attachments import attachment_pdf_check
from councils.models import (
    Consultation,
    Submission,
    SubmissionAttachment,
)
from priorities import tasks as receipts
from priorities.services import (
    ANSWER_ROLES,
    input_link_to_case,
    next_reference,
    staff_role,
)

SUBMISSION_PREFIX = "UT"
MAX_ATTACHMENTS = 5
MAX_GEOMETRY_VERTICES = 10_000


def council_secretary_check(user, council) -> None:
    """Only the council's own secretaries may file for it."""
    if not council.has_secretary(user):
        raise PermissionDenied(_("Only the council's secretaries may file for it."))


def _attachment_check(upload) -> None:
    limit = settings.NABOLAGET_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {
                "attachments": _("%(name)s is too large: at most %(mb)s MB.")
                % {"name": upload.name, "mb": limit // 1_000_000}
            }
        )
    attachment_pdf_check(upload)


@transaction.atomic
def submission_file(
    *,
    secretary,
    council,
    kind: str,
    title: str,
    text: str,
    meeting_date=None,
    minutes_reference: str = "",
    year: int | None = None,
    geometry=None,
    areas: Sequence | None = None,
    case=None,
    consultation=None,
    attachments: Sequence = (),
) -> Submission:
    """File a council's submission: receipt, areas, attachments, and the same loop as priorities."""
    council_secretary_check(secretary, council)
    municipality = council.municipality
    errors = {}
    if kind in ("statement", "input") and council.is_formal and not meeting_date:
        errors["meeting_date"] = _(
            "A formal council's statement needs the date of the meeting that adopted it."
        )
    if kind == "annual_report" and not year:
        errors["year"] = _("Give the year the annual report is for.")
    if len(attachments) > MAX_ATTACHMENTS:
        errors["attachments"] = _("At most %(n)s attachments.") % {"n": MAX_ATTACHMENTS}
    if errors:
        raise ValidationError(errors)
    for upload in attachments:
        _attachment_check(upload)
    late = False
    if consultation is not None:
        if not consultation.councils.filter(pk=council.pk).exists():
            raise ValidationError(
                {"consultation": _("This council was not asked in that consultation.")}
            )
        case = consultation.case
        late = timezone.localdate() > consultation.deadline
    if case is not None and case.municipality_id != municipality.pk:
        raise ValidationError({"case": _("The case belongs to another municipality.")})
    stored = (
        place_check(geometry, municipality, max_vertices=MAX_GEOMETRY_VERTICES)
        if geometry is not None
        else None
    )
    if stored is not None:
        chosen = list(
            Area.objects.in_force()
            .in_municipality(municipality.code)
            .filter(subdivisions__geom__intersects=stored)
            .distinct()
            .defer("geom")
        )
    else:
        chosen = list(areas or council.areas.all())
        if any(area.municipality_id != municipality.pk for area in chosen):
            raise ValidationError(
                {"areas": _("Choose areas in %(name)s.") % {"name": municipality.name}}
            )
    submission = Submission(
        reference=next_reference(SUBMISSION_PREFIX),
        municipality=municipality,
        author=secretary,
        council=council,
        kind=kind,
        title=(title or "").strip(),
        text=(text or "").strip(),
        meeting_date=meeting_date,
        minutes_reference=(minutes_reference or "").strip(),
        year=year,
        geom=stored,
        consultation=consultation,
        late=late,
    )
    submission.full_clean(exclude=["areas"])
    submission.save()
    submission.areas.set(chosen)
    for upload in attachments:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        attachment = SubmissionAttachment(
            submission=submission,
            name=upload.name[:200],
            size=upload.size,
            sha256=digest.hexdigest(),
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
    if case is not None:
        input_link_to_case([submission], case.number, secretary)
    receipts.send_receipt.defer(kind="submission", record_id=submission.pk)
    return submission


@transaction.atomic
def submission_withdraw(*, secretary, submission: Submission, reason: str) -> None:
    """Withdraw a submission with a reason. It stays on the record, marked withdrawn."""
    council_secretary_check(secretary, submission.council)
    if submission.withdrawn_at:
        raise ValidationError(_("This submission is already withdrawn."))
    if len((reason or "").strip()) < 5:
        raise ValidationError({"reason": _("Give a reason for withdrawing.")})
    submission.withdrawn_at = timezone.now()
    submission.withdrawn_reason = reason.strip()
    submission.save(update_fields=["withdrawn_at", "withdrawn_reason"])


@transaction.atomic
def consultation_create(
    *, actor, case, councils: Sequence, deadline, summary: str, questions: str = ""
):
    """Ask councils for a statement on a case by a deadline before the meeting; tell them."""
    staff_role(actor, case.municipality_id, ANSWER_ROLES)
    errors = {}
    if not councils:
        errors["councils"] = _("Choose at least one council.")
    if any(c.municipality_id != case.municipality_id for c in councils):
        errors["councils"] = _("Choose councils in the case's municipality.")
    if deadline < timezone.localdate():
        errors["deadline"] = _("The deadline cannot be in the past.")
    if case.meeting_date and deadline >= case.meeting_date:
        errors["deadline"] = _("The deadline must be before the meeting (%(date)s).") % {
            "date": case.meeting_date
        }
    if len((summary or "").strip()) < 10:
        errors["summary"] = _("Write a plain-language summary of the case.")
    if errors:
        raise ValidationError(errors)
    consultation = Consultation.objects.create(
        case=case,
        deadline=deadline,
        summary=summary.strip(),
        questions=(questions or "").strip(),
        created_by=actor,
    )
    consultation.councils.set(councils)
    tasks.notify_consultation.defer(consultation_id=consultation.pk)
    return consultation
