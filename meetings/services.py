"""What planners and participants do with meetings: register and cancel a meeting, record
the input gathered there, and follow it by e-mail. Multi-model writes, each in one
transaction."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import account_for_confirmed_address
from areas.models import AgeGroup, Area
from areas.validation import place_check
from follows.models import Topic
from follows.services import announce
from meetings import tasks
from meetings.links import FOLLOW_LINK_DAYS, email_digest, follow_token_read
from meetings.models import (
    Meeting,
    MeetingFollower,
    MeetingInput,
    MeetingPhoto,
    ParticipantCount,
)
from meetings.photos import photo_from_upload
from priorities.services import (
    ANSWER_ROLES,
    MODERATOR_ROLES,
    input_link_to_case,
    input_locate,
    next_reference,
    staff_role,
)

INPUT_PREFIX = "MI"
MAX_PHOTOS = 10
MAX_GEOMETRY_VERTICES = 10_000
MAX_PARTICIPANTS = 100_000
# The short code in the QR code's address: no letters that are read as others (0/o, 1/l/i).
SHORT_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
SHORT_CODE_LENGTH = 7


def _short_code() -> str:
    while True:
        code = "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))
        if not Meeting.objects.filter(short_code=code).exists():
            return code


def _merge(errors: dict, exc: ValidationError) -> None:
    for field, field_errors in exc.error_dict.items():
        errors.setdefault(field, []).extend(field_errors)


# --- meetings --------------------------------------------------------------------------------


def _meeting_check(*, municipality, starts_at, ends_at, point, case) -> tuple[dict, list]:
    """Every reason to refuse a meeting, field by field, all at once, and the areas of its
    place when it is acceptable."""
    errors: dict[str, list[ValidationError]] = {}
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = [ValidationError(_("The meeting must end after it starts."))]
    areas: list[Area] = []
    if point is not None:
        try:
            found, areas = input_locate(point, field="place")
        except ValidationError as exc:
            _merge(errors, exc)
        else:
            if found.pk != municipality.pk:
                errors["place"] = [
                    ValidationError(
                        _("The place is outside %(name)s.") % {"name": municipality.name}
                    )
                ]
                areas = []
    if case is not None and case.municipality_id != municipality.pk:
        errors["case"] = [ValidationError(_("The case belongs to another municipality."))]
    return errors, areas


def meeting_errors(**kwargs) -> dict[str, list[ValidationError]]:
    """The reasons ``meeting_register`` would refuse these values (for a form, to show them
    beside its own errors in one round): ``municipality``, ``starts_at``, ``ends_at``,
    ``point``, ``case``."""
    errors, _areas = _meeting_check(**kwargs)
    return errors


@transaction.atomic
def meeting_register(
    *,
    actor,
    municipality,
    type: str,
    title: str,
    starts_at,
    ends_at,
    point,
    place_name: str,
    description: str = "",
    case=None,
    organisers: str = "",
) -> Meeting:
    """A planner registers a meeting: its areas are those of its place and of its case; the
    people who follow those areas are told (``follows.services.announce``)."""
    staff_role(actor, municipality.pk, ANSWER_ROLES)
    errors, areas = _meeting_check(
        municipality=municipality, starts_at=starts_at, ends_at=ends_at, point=point, case=case
    )
    if errors:
        raise ValidationError(errors)
    stored = point.transform(Meeting._meta.get_field("place").srid, clone=True)
    meeting = Meeting(
        municipality=municipality,
        type=type,
        title=(title or "").strip(),
        description=(description or "").strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        place=stored,
        place_name=(place_name or "").strip(),
        case=case,
        organisers=(organisers or "").strip(),
        short_code=_short_code(),
        created_by=actor,
    )
    meeting.full_clean(exclude=["areas"])
    meeting.save()
    chosen = {area.pk: area for area in areas}
    if case is not None:
        chosen.update({area.pk: area for area in case.areas.defer("geom")})
    meeting.areas.set(list(chosen.values()))
    announce(
        key=f"meeting:{meeting.pk}:registered",
        municipality=municipality,
        areas=list(chosen.values()),
        topic=Topic.MEETING,
        title=meeting.title,
        url=meeting.get_absolute_url(),
        summary=f"{meeting.get_type_display()}, {timezone.localtime(starts_at):%d.%m.%Y %H:%M}, "
        f"{meeting.place_name}",
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, reason: str) -> None:
    """Call a meeting off, with a reason. It stays on the record, marked cancelled, and
    leaves the calendars."""
    staff_role(actor, meeting.municipality_id, ANSWER_ROLES)
    if meeting.cancelled_at:
        raise ValidationError(_("This meeting is already cancelled."))
    if len((reason or "").strip()) < 5:
        raise ValidationError({"reason": _("Say why the meeting is cancelled.")})
    meeting.cancelled_at = timezone.now()
    meeting.cancelled_reason = reason.strip()
    meeting.save(update_fields=["cancelled_at", "cancelled_reason"])


@transaction.atomic
def meeting_hide(*, moderator, meeting: Meeting, reason: str) -> None:
    """A moderator hides a meeting (its page, its input and the calendars leave it out). It
    stays on the record; hiding is final, like a withdrawal."""
    staff_role(moderator, meeting.municipality_id, MODERATOR_ROLES)
    if meeting.hidden_at:
        raise ValidationError(_("This meeting is already hidden."))
    if len((reason or "").strip()) < 5:
        raise ValidationError({"reason": _("Give a reason for hiding.")})
    meeting.hidden_at = timezone.now()
    meeting.hidden_reason = reason.strip()
    meeting.save(update_fields=["hidden_at", "hidden_reason"])


# --- the input gathered at a meeting ---------------------------------------------------------


def _input_check(
    *, meeting: Meeting, geometry=None, photos: Sequence = (), counts: Mapping | None = None
) -> tuple[dict, object, list]:
    """Every reason to refuse meeting input, field by field, all at once; the place in the
    storage SRID and the clean photos when it is acceptable. Codes are kept (``too_large``
    is answered with 413)."""
    errors: dict[str, list[ValidationError]] = {}
    stored = None
    if geometry is not None:
        try:
            stored = place_check(geometry, meeting.municipality, max_vertices=MAX_GEOMETRY_VERTICES)
        except ValidationError as exc:
            _merge(errors, exc)
    clean = []
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = [ValidationError(_("At most %(n)s photos.") % {"n": MAX_PHOTOS})]
    else:
        for upload, alt_text in photos:
            alt_text = (alt_text or "").strip()
            if len(alt_text) < 5:
                errors.setdefault("alt_text", []).append(
                    ValidationError(
                        _("Describe what %(name)s shows, for those who cannot see it.")
                        % {"name": upload.name}
                    )
                )
            try:
                clean.append((photo_from_upload(upload), alt_text[:500]))
            except ValidationError as exc:
                _merge(errors, exc)
    for group, count in (counts or {}).items():
        if group not in AgeGroup.values:
            errors.setdefault("participants", []).append(
                ValidationError(_("Unknown age group %(group)s.") % {"group": group})
            )
        elif count is not None and not (0 <= count <= MAX_PARTICIPANTS):
            errors.setdefault("participants", []).append(
                ValidationError(
                    _("A number of participants between 0 and %(n)s.") % {"n": MAX_PARTICIPANTS}
                )
            )
    return errors, stored, clean


def input_errors(**kwargs) -> dict[str, list[ValidationError]]:
    """The reasons ``meeting_input_record`` would refuse these values (``meeting``,
    ``geometry``, ``photos``, ``counts``), for a form to show in one round."""
    errors, _stored, _clean = _input_check(**kwargs)
    return errors


@transaction.atomic
def meeting_input_record(
    *,
    actor,
    meeting: Meeting,
    title: str,
    notes: str,
    geometry=None,
    photos: Sequence = (),
    counts: Mapping | None = None,
) -> MeetingInput:
    """A planner records what was said at a meeting: notes, the place drawn on the paper
    map, photos of the flip charts (each ``(upload, alternative text)``), and the number of
    participants by age group where it was asked (``counts``: age group -> number; a group
    given again replaces its number). Input from a meeting about a case is linked to it."""
    staff_role(actor, meeting.municipality_id, ANSWER_ROLES)
    errors, stored, clean = _input_check(
        meeting=meeting, geometry=geometry, photos=photos, counts=counts
    )
    if errors:
        raise ValidationError(errors)
    record = MeetingInput(
        reference=next_reference(INPUT_PREFIX),
        municipality_id=meeting.municipality_id,
        meeting=meeting,
        title=(title or "").strip(),
        notes=(notes or "").strip(),
        geom=stored,
        recorded_by=actor,
    )
    record.full_clean(exclude=["areas"])
    record.save()
    areas = {area.pk for area in meeting.areas.all()}
    if stored is not None:
        areas |= set(
            Area.objects.in_force()
            .in_municipality(meeting.municipality.code)
            .filter(subdivisions__geom__intersects=stored)
            .values_list("pk", flat=True)
        )
    record.areas.set(sorted(areas))
    for (content, width, height, sha256), alt_text in clean:
        photo = MeetingPhoto(
            input=record, alt_text=alt_text, width=width, height=height, sha256=sha256
        )
        photo.image.save(content.name, content, save=False)
        photo.full_clean()
        photo.save()
    for group, count in (counts or {}).items():
        if count is not None:
            ParticipantCount.objects.update_or_create(
                meeting=meeting, age_group=group, defaults={"count": count}
            )
    if meeting.case_id:
        input_link_to_case([record], meeting.case.number, actor)
    return record


# --- participants following a meeting --------------------------------------------------------


@transaction.atomic
def follower_add(*, meeting: Meeting, email: str, language: str) -> MeetingFollower:
    """A participant leaves an e-mail address to follow a meeting's input: a confirmation
    link is sent to it (again, if it was left before and not confirmed). Nothing else is
    sent until the address is confirmed."""
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError(
            {"email": _("Write an e-mail address like navn@example.no.")}
        ) from exc
    if not meeting.is_public:
        raise ValidationError(_("This meeting cannot be followed."))
    email = email[: email.rindex("@")] + email[email.rindex("@") :].lower()
    follower, created = MeetingFollower.objects.get_or_create(
        meeting=meeting, email=email, defaults={"language": language}
    )
    if follower.confirmed_at is None:
        if not created:
            follower.language = language
            follower.confirmation_sent_at = None
            follower.save(update_fields=["language", "confirmation_sent_at"])
        tasks.send_follow_confirmation.defer(follower_id=follower.pk)
    return follower


@transaction.atomic
def follower_confirm(*, meeting: Meeting, token: str) -> MeetingFollower:
    """Confirm a participant's address from the signed link, and give it the account the
    feedback loop's e-mails go to: the account that has this address already, or a new
    one without a password (they may set one with "Forgot password" and log in)."""
    invalid = ValidationError(
        _(
            "This confirmation link is not valid: it was changed, or it is older than "
            "%(days)s days. Leave your e-mail address again."
        )
        % {"days": FOLLOW_LINK_DAYS},
        code="invalid_link",
    )
    try:
        data = follow_token_read(token)
        follower = (
            MeetingFollower.objects.select_for_update().filter(pk=data["f"], meeting=meeting).get()
        )
    except (signing.BadSignature, KeyError, TypeError, MeetingFollower.DoesNotExist) as exc:
        raise invalid from exc
    if email_digest(follower.email) != data.get("e"):
        raise invalid
    if follower.confirmed_at is not None and follower.user_id:
        return follower
    user = account_for_confirmed_address(
        email=follower.email, language=follower.language, username_prefix="deltaker"
    )
    follower.user = user
    follower.confirmed_at = timezone.now()
    follower.save(update_fields=["user", "confirmed_at"])
    return follower
