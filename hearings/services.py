"""What planners, residents, organisations, councils and moderators do with hearings: open
one, answer it, moderate the answers, write the summary by theme. Multi-model writes, each
in one transaction that also queues its e-mails and announcements."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.conf import settings
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import account_for_confirmed_address
from areas.models import Area
from areas.validation import place_check
from councils.attachments import attachment_pdf_check
from councils.models import validate_organisation_number
from follows.services import announce
from hearings import tasks
from hearings.links import ANSWER_LINK_DAYS, answer_token_read, email_digest
from hearings.models import (
    AnswerVisibility,
    Audience,
    Hearing,
    HearingAnswer,
    HearingAnswerAttachment,
    HearingDocument,
    HearingTheme,
    Publication,
    Respondent,
    UnconfirmedAnswer,
    UnconfirmedAnswerAttachment,
)
from priorities import tasks as receipts
from priorities.services import (
    ANSWER_ROLES,
    MODERATOR_ROLES,
    input_link_to_case,
    next_reference,
    staff_role,
)

ANSWER_PREFIX = "HS"
MAX_ATTACHMENTS = 5
MAX_DOCUMENTS = 10
MAX_GEOMETRY_VERTICES = 10_000


def pdf_errors(uploads: Sequence, field: str, most: int) -> list[ValidationError]:
    """Why these PDFs are refused (as councils' attachments are: the size limit, then
    ``councils.attachments.attachment_pdf_check``), as errors of ``field``."""
    if len(uploads) > most:
        return [ValidationError(_("At most %(n)s files.") % {"n": most})]
    errors = []
    limit = settings.NABOLAGET_ATTACHMENT_MAX_BYTES
    for upload in uploads:
        if upload.size > limit:
            errors.append(
                ValidationError(
                    _("%(name)s is too large: at most %(mb)s MB.")
                    % {"name": upload.name, "mb": limit // 1_000_000},
                    code="too_large",
                )
            )
            continue
        try:
            attachment_pdf_check(upload)
        except ValidationError as exc:
            errors.extend(ValidationError(message) for message in exc.message_dict["attachments"])
    return errors


def _store_pdfs(uploads: Sequence, make) -> None:
    """Store each upload as a write-once row (its checksum as uploaded); ``make`` builds the
    row from its name, size and checksum."""
    for upload in uploads:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        row = make(name=upload.name[:200], size=upload.size, sha256=digest.hexdigest())
        row.file.save(upload.name, upload, save=False)
        row.save()


# --- opening a hearing ---------------------------------------------------------------------


def hearing_errors(
    *,
    case,
    opens_on=None,
    closes_on=None,
    audience: str = Audience.EVERYONE,
    invited_councils: Sequence = (),
    invited_emails: Sequence[str] = (),
    documents: Sequence = (),
) -> dict[str, list[ValidationError]]:
    """Every reason ``hearing_open`` would refuse these values, field by field (for a form,
    to show them with its own errors in one round)."""
    errors: dict[str, list[ValidationError]] = {}
    if opens_on and closes_on and closes_on < opens_on:
        errors["closes_on"] = [
            ValidationError(_("The deadline cannot be before the hearing opens."))
        ]
    if any(council.municipality_id != case.municipality_id for council in invited_councils):
        errors["invited_councils"] = [
            ValidationError(_("Invite councils in the case's municipality."))
        ]
    if audience == Audience.INVITED and not invited_councils and not invited_emails:
        errors["invited_councils"] = [
            ValidationError(_("Invite at least one council or organisation."))
        ]
    documents_refused = pdf_errors(documents, "documents", MAX_DOCUMENTS)
    if documents_refused:
        errors["documents"] = documents_refused
    return errors


@transaction.atomic
def hearing_open(
    *,
    actor,
    case,
    title: str,
    decision: str,
    opens_on,
    closes_on,
    questions: str = "",
    audience: str = Audience.EVERYONE,
    publication: str = Publication.AT_ONCE,
    invited_councils: Sequence = (),
    invited_emails: Sequence[str] = (),
    documents: Sequence = (),
) -> Hearing:
    """A planner opens a hearing on a case: the hearing, its documents, and the
    announcement to the people following the case's areas (once)."""
    staff_role(actor, case.municipality_id, ANSWER_ROLES)
    errors = hearing_errors(
        case=case,
        opens_on=opens_on,
        closes_on=closes_on,
        audience=audience,
        invited_councils=invited_councils,
        invited_emails=invited_emails,
        documents=documents,
    )
    if errors:
        raise ValidationError(errors)
    hearing = Hearing(
        case=case,
        title=(title or "").strip(),
        decision=(decision or "").strip(),
        questions=(questions or "").strip(),
        opens_on=opens_on,
        closes_on=closes_on,
        audience=audience,
        invited_emails=sorted({email.strip().lower() for email in invited_emails if email}),
        publication=publication,
        created_by=actor,
    )
    hearing.full_clean()
    hearing.save()
    hearing.invited_councils.set(invited_councils)
    _store_pdfs(documents, lambda **fields: HearingDocument(hearing=hearing, **fields))
    if invited_councils or hearing.invited_emails:
        tasks.notify_invited.defer(hearing_id=hearing.pk)
    announce(
        key=f"hearing:{hearing.pk}:opened",
        municipality=case.municipality,
        areas=case.areas.all(),
        topic="hearing",
        title=hearing.title,
        url=hearing.get_absolute_url(),
        summary=hearing.decision,
    )
    return hearing


@transaction.atomic
def hearing_from_consultation(consultation) -> Hearing:
    """The hearing a request to councils for statements (``councils.Consultation``) is: one
    that invites its councils by its deadline, with its summary and questions (made once;
    the consultation and the statements filed on it stay as they are). The data migration
    ``0003_consultations_become_hearings`` does the same for the requests made before."""
    existing = Hearing.objects.filter(consultation=consultation).first()
    if existing is not None:
        return existing
    case = consultation.case
    hearing = Hearing.objects.create(
        case=case,
        consultation=consultation,
        title=case.title[:200],
        decision=consultation.summary,
        questions=consultation.questions,
        opens_on=min(timezone.localtime(consultation.created_at).date(), consultation.deadline),
        closes_on=consultation.deadline,
        audience=Audience.INVITED,
        publication=Publication.AT_ONCE,
        created_by=consultation.created_by,
    )
    hearing.invited_councils.set(consultation.councils.all())
    return hearing


# --- answering -----------------------------------------------------------------------------


def answer_permission_check(*, user, hearing: Hearing, respondent: str, council=None) -> None:
    """Who may answer: any logged-in resident of an open hearing; an organisation or a
    council of an invited-only hearing only when invited; a council only through its
    secretary. PermissionDenied otherwise."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Log in to answer the hearing."))
    if respondent == Respondent.COUNCIL and council is None:
        return  # refused as bad input: no council chosen (answer_errors)
    if respondent == Respondent.COUNCIL and not council.has_secretary(user):
        raise PermissionDenied(_("Only the council's secretaries may answer for it."))
    if hearing.audience == Audience.INVITED:
        invited = (
            respondent == Respondent.COUNCIL
            and hearing.invited_councils.filter(pk=council.pk).exists()
        ) or (
            respondent == Respondent.ORGANISATION
            and (user.email or "").strip().lower() in hearing.invited_emails
        )
        if not invited:
            raise PermissionDenied(
                _("This hearing is for invited councils and organisations only.")
            )


def answer_errors(
    *,
    hearing: Hearing,
    respondent: str,
    signed_name: str = "",
    name_withheld: bool = False,
    organisation_name: str = "",
    organisation_number: str = "",
    contact_person: str = "",
    council=None,
    geometry=None,
    areas: Sequence | None = None,
    attachments: Sequence = (),
) -> tuple[dict[str, list[ValidationError]], object]:
    """Every reason to refuse an answer, field by field, all at once, and the place in the
    storage SRID when it is acceptable."""
    municipality = hearing.case.municipality
    errors: dict[str, list[ValidationError]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message))

    if timezone.localdate() < hearing.opens_on:
        add(
            NON_FIELD_ERRORS,
            _("The hearing opens on %(date)s.") % {"date": hearing.opens_on.strftime("%d.%m.%Y")},
        )
    if respondent == Respondent.RESIDENT and not name_withheld and len(signed_name.strip()) < 2:
        add("signed_name", _("Give your name, or ask for it to be withheld."))
    if respondent == Respondent.ORGANISATION:
        if len(organisation_name.strip()) < 2:
            add("organisation_name", _("Give the organisation's name."))
        if len(contact_person.strip()) < 2:
            add("contact_person", _("Give a contact person."))
        try:
            validate_organisation_number(organisation_number.replace(" ", ""))
        except ValidationError as exc:
            errors.setdefault("organisation_number", []).extend(exc.error_list)
    if respondent == Respondent.COUNCIL:
        if council is None:
            add("council", _("Choose the council you answer for."))
        elif council.municipality_id != municipality.pk:
            add("council", _("Choose a council in the case's municipality."))
    refused = pdf_errors(attachments, "attachments", MAX_ATTACHMENTS)
    if refused:
        errors["attachments"] = refused
    stored = None
    if geometry is not None:
        try:
            stored = place_check(geometry, municipality, max_vertices=MAX_GEOMETRY_VERTICES)
        except ValidationError as exc:
            for field, field_errors in exc.error_dict.items():
                errors.setdefault(field, []).extend(field_errors)
    elif areas and any(area.municipality_id != municipality.pk for area in areas):
        add("areas", _("Choose areas in %(name)s.") % {"name": municipality.name})
    return errors, stored


def _answer_areas(hearing: Hearing, stored, areas: Sequence | None) -> list:
    """The areas an answer concerns: those its place touches, else those chosen, else the
    case's."""
    if stored is not None:
        return list(
            Area.objects.in_force()
            .in_municipality(hearing.case.municipality.code)
            .filter(subdivisions__geom__intersects=stored)
            .distinct()
            .defer("geom")
        )
    if areas:
        return list(areas)
    return list(hearing.case.areas.all().defer("geom"))


def _answer_make(
    *,
    author,
    hearing: Hearing,
    areas: Sequence,
    late: bool,
    text: str,
    respondent: str = Respondent.RESIDENT,
    signed_name: str = "",
    name_withheld: bool = False,
    organisation_name: str = "",
    organisation_number: str = "",
    contact_person: str = "",
    council=None,
    geom=None,
) -> HearingAnswer:
    """The answer on the record, with its receipt number and areas, linked to the hearing's
    case, and its receipt queued (the checks are the caller's)."""
    case = hearing.case
    answer = HearingAnswer(
        reference=next_reference(ANSWER_PREFIX),
        municipality=case.municipality,
        author=author,
        hearing=hearing,
        respondent=respondent,
        text=(text or "").strip(),
        signed_name=(signed_name or "").strip() if respondent == Respondent.RESIDENT else "",
        name_withheld=bool(name_withheld) and respondent == Respondent.RESIDENT,
        organisation_name=(organisation_name or "").strip()
        if respondent == Respondent.ORGANISATION
        else "",
        organisation_number=(organisation_number or "").replace(" ", "")
        if respondent == Respondent.ORGANISATION
        else "",
        contact_person=(contact_person or "").strip()
        if respondent == Respondent.ORGANISATION
        else "",
        council=council if respondent == Respondent.COUNCIL else None,
        geom=geom,
        late=late,
        visibility=AnswerVisibility.PENDING_REVIEW
        if hearing.publication == Publication.AFTER_REVIEW
        else AnswerVisibility.PUBLIC,
    )
    answer.full_clean(exclude=["areas"])
    answer.save()
    answer.areas.set(areas)
    input_link_to_case([answer], case.number, author)
    receipts.send_receipt.defer(kind="hearing_answer", record_id=answer.pk)
    return answer


@transaction.atomic
def answer_submit(
    *,
    author,
    hearing: Hearing,
    text: str,
    respondent: str = Respondent.RESIDENT,
    signed_name: str = "",
    name_withheld: bool = False,
    organisation_name: str = "",
    organisation_number: str = "",
    contact_person: str = "",
    council=None,
    geometry=None,
    areas: Sequence | None = None,
    attachments: Sequence = (),
) -> HearingAnswer:
    """Answer a hearing: the answer with its receipt number, areas and attachments, linked
    to the hearing's case, waiting for a moderator or public as the hearing says, and the
    receipt by e-mail. After the deadline it is accepted and marked late, never refused."""
    answer_permission_check(user=author, hearing=hearing, respondent=respondent, council=council)
    errors, stored = answer_errors(
        hearing=hearing,
        respondent=respondent,
        signed_name=signed_name,
        name_withheld=name_withheld,
        organisation_name=organisation_name,
        organisation_number=organisation_number,
        contact_person=contact_person,
        council=council,
        geometry=geometry,
        areas=areas,
        attachments=attachments,
    )
    if errors:
        raise ValidationError(errors)
    answer = _answer_make(
        author=author,
        hearing=hearing,
        areas=_answer_areas(hearing, stored, areas),
        late=timezone.localdate() > hearing.closes_on,
        text=text,
        respondent=respondent,
        signed_name=signed_name,
        name_withheld=name_withheld,
        organisation_name=organisation_name,
        organisation_number=organisation_number,
        contact_person=contact_person,
        council=council,
        geom=stored,
    )
    _store_pdfs(attachments, lambda **fields: HearingAnswerAttachment(answer=answer, **fields))
    return answer


# --- answering without an account: confirmed by e-mail --------------------------------------


def _confirmation_invalid() -> ValidationError:
    return ValidationError(
        _(
            "This confirmation link is not valid: it was changed, or it is older than "
            "%(days)s days. Send your answer again."
        )
        % {"days": ANSWER_LINK_DAYS},
        code="invalid_link",
    )


def email_normalised(email: str) -> str:
    """The address checked, its domain in lower case; a ValidationError of ``email`` if it
    is not an e-mail address."""
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError(
            {"email": _("Write an e-mail address like navn@example.no.")}
        ) from exc
    at = email.rindex("@")
    return email[:at] + email[at:].lower()


@transaction.atomic
def unconfirmed_answer_submit(
    *,
    hearing: Hearing,
    email: str,
    language: str,
    text: str,
    signed_name: str = "",
    name_withheld: bool = False,
    geometry=None,
    areas: Sequence | None = None,
    attachments: Sequence = (),
) -> UnconfirmedAnswer:
    """A resident not logged in answers a hearing open to everyone: the answer is kept with
    the e-mail address given, and a link to confirm it is sent there (in ``language``). It
    is counted, published and answered only once confirmed (``unconfirmed_answer_confirm``)."""
    if hearing.audience != Audience.EVERYONE:
        raise PermissionDenied(_("This hearing is for invited councils and organisations only."))
    errors, stored = answer_errors(
        hearing=hearing,
        respondent=Respondent.RESIDENT,
        signed_name=signed_name,
        name_withheld=name_withheld,
        geometry=geometry,
        areas=areas,
        attachments=attachments,
    )
    try:
        email = email_normalised(email)
    except ValidationError as exc:
        errors.setdefault("email", []).extend(exc.error_dict["email"])
    if errors:
        raise ValidationError(errors)
    unconfirmed = UnconfirmedAnswer(
        hearing=hearing,
        email=email,
        language=language,
        text=(text or "").strip(),
        signed_name=(signed_name or "").strip(),
        name_withheld=bool(name_withheld),
        geom=stored,
    )
    unconfirmed.full_clean(exclude=["areas", "answer"])
    unconfirmed.save()
    unconfirmed.areas.set(_answer_areas(hearing, stored, areas))
    _store_pdfs(
        attachments,
        lambda **fields: UnconfirmedAnswerAttachment(unconfirmed=unconfirmed, **fields),
    )
    tasks.send_answer_confirmation.defer(unconfirmed_id=unconfirmed.pk)
    return unconfirmed


def unconfirmed_answer_check(*, hearing: Hearing, token: str) -> UnconfirmedAnswer:
    """The unconfirmed answer a confirmation link is for, or a ValidationError (the link
    was changed, has expired, or is another hearing's)."""
    try:
        data = answer_token_read(token)
        unconfirmed = UnconfirmedAnswer.objects.get(pk=data["a"], hearing=hearing)
    except (signing.BadSignature, KeyError, TypeError, UnconfirmedAnswer.DoesNotExist) as exc:
        raise _confirmation_invalid() from exc
    if email_digest(unconfirmed.email) != data.get("e"):
        raise _confirmation_invalid()
    return unconfirmed


@transaction.atomic
def unconfirmed_answer_confirm(*, hearing: Hearing, token: str) -> HearingAnswer:
    """Confirm an answer's e-mail address from the signed link: the answer goes on the
    record as the answer of the account with that address (made if there is none, see
    ``accounts.services.account_for_confirmed_address``), with its receipt, and enters the
    feedback loop. Late only if it was *sent* after the deadline: the time the person took
    to open the e-mail is not theirs to answer for. Confirming again gives the same answer."""
    found = unconfirmed_answer_check(hearing=hearing, token=token)
    unconfirmed = UnconfirmedAnswer.objects.select_for_update().get(pk=found.pk)
    if unconfirmed.answer_id is not None:
        return unconfirmed.answer
    author = account_for_confirmed_address(
        email=unconfirmed.email, language=unconfirmed.language, username_prefix="svar"
    )
    answer = _answer_make(
        author=author,
        hearing=hearing,
        areas=list(unconfirmed.areas.all().defer("geom")),
        late=timezone.localdate(unconfirmed.created_at) > hearing.closes_on,
        text=unconfirmed.text,
        signed_name=unconfirmed.signed_name,
        name_withheld=unconfirmed.name_withheld,
        geom=unconfirmed.geom,
    )
    for pdf in unconfirmed.attachments.all():
        # The same stored file: the answer's attachment from now on.
        HearingAnswerAttachment.objects.create(
            answer=answer, file=pdf.file.name, name=pdf.name, size=pdf.size, sha256=pdf.sha256
        )
    unconfirmed.answer = answer
    unconfirmed.save(update_fields=["answer"])
    return answer


@transaction.atomic
def answer_moderate(*, moderator, answer: HearingAnswer, publish: bool, reason: str = "") -> None:
    """A moderator publishes an answer, or hides it with a reason (it stays on the record)."""
    staff_role(moderator, answer.municipality_id, MODERATOR_ROLES)
    if not publish and len((reason or "").strip()) < 5:
        raise ValidationError({"reason": _("Give the author a reason for hiding.")})
    answer.visibility = AnswerVisibility.PUBLIC if publish else AnswerVisibility.HIDDEN
    answer.hidden_reason = "" if publish else reason.strip()
    answer.save(update_fields=["visibility", "hidden_reason"])


# --- the planner's summary -----------------------------------------------------------------


def answers_by_reference(hearing: Hearing, references: Sequence[str]) -> list[HearingAnswer]:
    """The hearing's answers with these reference numbers, or a ValidationError naming
    those that are not its answers."""
    wanted = {reference.strip().upper() for reference in references if reference.strip()}
    found = list(HearingAnswer.all_objects.filter(hearing=hearing, reference__in=wanted))
    unknown = wanted - {answer.reference for answer in found}
    if unknown:
        raise ValidationError(
            {
                "references": _("These are not answers to this hearing: %(refs)s.")
                % {"refs": ", ".join(sorted(unknown))}
            }
        )
    return found


@transaction.atomic
def theme_save(
    *,
    actor,
    hearing: Hearing,
    title: str,
    text: str,
    references: Sequence[str] = (),
    theme: HearingTheme | None = None,
    position: int | None = None,
) -> HearingTheme:
    """A planner adds a theme to the hearing's summary, or changes one, with the answers it
    covers (by their reference numbers)."""
    staff_role(actor, hearing.case.municipality_id, ANSWER_ROLES)
    if theme is not None and theme.hearing_id != hearing.pk:
        raise PermissionDenied(_("This theme belongs to another hearing."))
    answers = answers_by_reference(hearing, references)
    theme = theme or HearingTheme(hearing=hearing, position=hearing.themes.count())
    theme.title = (title or "").strip()
    theme.text = (text or "").strip()
    if position is not None:
        theme.position = position
    theme.updated_by = actor
    theme.full_clean(exclude=["answers"])
    theme.save()
    theme.answers.set(answers)
    return theme
