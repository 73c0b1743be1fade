"""What councils' secretaries and the staff do with councils: file and withdraw
submissions, ask for statements. Multi-model writes, each in one transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
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
    Council,
    CouncilMembership,
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


@transaction.atomic
def council_secretary_grant(
    *, email: str, council: str, municipality_code: str
) -> tuple[CouncilMembership, bool]:
    """Make the account with this e-mail a secretary of the council given by its id or its
    exact name in the municipality (a member becomes its secretary). Returns (membership,
    created)."""
    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise ValidationError(
            _("There is no account with the e-mail address %(email)s.") % {"email": email}
        )
    councils = Council.objects.filter(municipality__code=municipality_code)
    found = list(
        councils.filter(pk=int(council))
        if council.strip().isdigit()
        else councils.filter(name__iexact=council.strip())
    )
    if len(found) != 1:
        raise ValidationError(
            _("There is no council %(council)s in municipality %(code)s. Councils: %(names)s.")
            % {
                "council": council,
                "code": municipality_code,
                "names": ", ".join(f"{c.pk} {c.name}" for c in councils.order_by("pk")) or "-",
            }
        )
    membership, created = CouncilMembership.objects.get_or_create(
        council=found[0], user=user, defaults={"role": CouncilMembership.Role.SECRETARY}
    )
    if not created and membership.role != CouncilMembership.Role.SECRETARY:
        membership.role = CouncilMembership.Role.SECRETARY
        membership.save(update_fields=["role"])
        created = True
    return membership, created


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


def _submission_check(
    *,
    council,
    kind: str | None,
    meeting_date=None,
    year: int | None = None,
    geometry=None,
    areas: Sequence | None = None,
    case=None,
    consultation=None,
    attachments: Sequence = (),
) -> tuple[dict[str, list[ValidationError]], object]:
    """Every reason to refuse a submission, field by field, all at once (not in rounds),
    and the place in the storage SRID when it is acceptable. The errors keep their codes
    (``too_large`` is answered with 413)."""
    municipality = council.municipality
    errors: dict[str, list[ValidationError]] = {}

    def refuse(exc: ValidationError) -> None:
        for field, field_errors in exc.error_dict.items():
            errors.setdefault(field, []).extend(field_errors)

    if council.is_formal and not meeting_date:
        if kind == "statement":
            errors["meeting_date"] = [
                ValidationError(
                    _("A formal council's statement needs the date of the meeting that adopted it.")
                )
            ]
        elif kind == "input":
            errors["meeting_date"] = [
                ValidationError(
                    _("A formal council's input needs the date of the meeting that adopted it.")
                )
            ]
    if kind == "annual_report" and not year:
        errors["year"] = [ValidationError(_("Give the year the annual report is for."))]
    if len(attachments) > MAX_ATTACHMENTS:
        errors["attachments"] = [
            ValidationError(_("At most %(n)s attachments.") % {"n": MAX_ATTACHMENTS})
        ]
    else:
        for upload in attachments:
            try:
                _attachment_check(upload)
            except ValidationError as exc:
                refuse(exc)
    if consultation is not None:
        if not consultation.councils.filter(pk=council.pk).exists():
            errors["consultation"] = [
                ValidationError(_("This council was not asked in that consultation."))
            ]
        case = consultation.case
    if case is not None and case.municipality_id != municipality.pk:
        errors.setdefault("case", []).append(
            ValidationError(_("The case belongs to another municipality."))
        )
    stored = None
    if geometry is not None:
        try:
            stored = place_check(geometry, municipality, max_vertices=MAX_GEOMETRY_VERTICES)
        except ValidationError as exc:
            refuse(exc)
    elif areas and any(area.municipality_id != municipality.pk for area in areas):
        errors["areas"] = [
            ValidationError(_("Choose areas in %(name)s.") % {"name": municipality.name})
        ]
    return errors, stored


def submission_errors(**kwargs) -> dict[str, list[ValidationError]]:
    """The reasons ``submission_file`` would refuse these values, field by field: for a form,
    to show them beside its own errors in one round. Takes ``submission_file``'s arguments
    but the secretary's and the texts."""
    errors, _stored = _submission_check(**kwargs)
    return errors


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
    errors, stored = _submission_check(
        council=council,
        kind=kind,
        meeting_date=meeting_date,
        year=year,
        geometry=geometry,
        areas=areas,
        case=case,
        consultation=consultation,
        attachments=attachments,
    )
    if errors:
        raise ValidationError(errors)
    late = False
    if consultation is not None:
        case = consultation.case
        late = timezone.localdate() > consultation.deadline
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
