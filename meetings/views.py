"""Pages for meetings: registering one, its public page (what was said there and how it
was used), recording its input, the short form participants follow it from, and the
calendars of upcoming meetings with their iCalendar feeds."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.gis.geos import GeometryCollection
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.idempotency import idempotent_form
from accounts.limits import check_rate_limits, throttle
from accounts.models import Role
from accounts.notifications import site_url
from areas.models import Area, Municipality
from cases.models import Case
from core.forms import add_service_errors, refused_status
from meetings import services
from meetings.calendar import meetings_ical
from meetings.forms import CancelForm, FollowForm, MeetingForm, MeetingInputForm
from meetings.links import FOLLOW_LINK_DAYS, follow_token_read
from meetings.models import Meeting, MeetingInput, MeetingPhoto
from priorities import services as loop
from priorities.forms import StatusForm

FOLLOW_LIMITS = [throttle("meeting_follow", "address")]
PLANNER_ROLES = (Role.PLANNER, Role.ADMINISTRATOR)


def _is_planner(request, municipality_id: int) -> bool:
    return request.user.is_authenticated and bool(
        request.user.staff_municipality_ids(*PLANNER_ROLES) & {municipality_id}
    )


def _meeting(request, pk: int) -> Meeting:
    """The meeting if this person may see it: public, or they are its municipality's
    planners; else 404."""
    meeting = get_object_or_404(
        Meeting.objects.select_related("municipality", "case").prefetch_related("areas__type"),
        pk=pk,
    )
    if not meeting.is_public and not _is_planner(request, meeting.municipality_id):
        raise Http404
    return meeting


def _too_many(request, wait: int) -> HttpResponse:
    response = render(request, "priorities/too_many.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


@login_required
@idempotent_form
def meeting_new(request):
    """A planner registers a public meeting, a workshop or a walk."""
    allowed = request.user.staff_municipality_ids(*PLANNER_ROLES)
    if not allowed:
        raise PermissionDenied(_("Only planners register meetings."))
    municipalities = Municipality.objects.filter(pk__in=allowed).order_by("code")
    initial = {"municipality": municipalities.first()}
    if request.GET.get("case", "").isdigit():
        case = Case.objects.filter(pk=request.GET["case"], municipality__in=allowed).first()
        if case is not None:
            initial |= {"case": case, "municipality": case.municipality}
    form = MeetingForm(request.POST or None, municipalities=municipalities, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_register(
                actor=request.user,
                municipality=data["municipality"],
                type=data["type"],
                title=data["title"],
                description=data["description"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                point=data["point"],
                place_name=data["place_name"],
                case=data["case"],
                organisers=data["organisers"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The meeting is registered."))
            return redirect(meeting.get_absolute_url())
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "municipality": initial["municipality"]},
        status=refused_status(form) if request.method == "POST" else 200,
    )


def meeting_detail(request, pk: int):
    """A meeting: what, when, where; what was said there; how that input was used."""
    meeting = _meeting(request, pk)
    inputs = list(
        MeetingInput.objects.filter(meeting=meeting)
        .annotate(reply_count=Count("replies"))  # the link to its replies says how many
        .prefetch_related("photos", "case_links", "status_changes")
    )
    # The map: the meeting's place and the places drawn on the workshop's paper maps.
    shapes = [meeting.place] + [record.geom for record in inputs if record.geom is not None]
    drawn = GeometryCollection(*[shape.transform(4326, clone=True) for shape in shapes], srid=4326)
    follow_url = site_url(meeting.follow_url())
    qr = segno.make(follow_url, error="m")
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "geometry": drawn.json,
            "inputs": inputs,
            "counts": meeting.participant_counts.all(),
            "follow_url": follow_url,
            "qr_svg": mark_safe(  # noqa: S308 - segno's own SVG of our own URL
                qr.svg_inline(
                    scale=5,
                    border=2,
                    dark="#000000",
                    light="#ffffff",
                    svgclass="qr-code",
                    title=_("QR code to follow this meeting"),
                )
            ),
            "can_record": _is_planner(request, meeting.municipality_id),
            "status_form": StatusForm(),
            "cancel_form": CancelForm(),
        },
    )


@require_POST
@login_required
def meeting_cancel(request, pk: int):
    meeting = _meeting(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the meeting is cancelled."))
        return redirect(meeting.get_absolute_url())
    try:
        services.meeting_cancel(
            actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The meeting is cancelled. It stays on the record."))
    return redirect(meeting.get_absolute_url())


@login_required
@idempotent_form
def input_new(request, pk: int):
    """A planner records what was said at the meeting."""
    meeting = _meeting(request, pk)
    loop.staff_role(request.user, meeting.municipality_id, loop.ANSWER_ROLES)
    form = MeetingInputForm(request.POST or None, request.FILES or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.meeting_input_record(
                actor=request.user,
                meeting=meeting,
                title=data["title"],
                notes=data["notes"],
                geometry=data["geom"],
                photos=data["photos"],
                counts=data["counts"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The input is recorded with the reference number %(reference)s.")
                % {"reference": record.reference},
            )
            # The meeting's page itself, not at the input (#input-N): a page opened at a
            # fragment runs no autofocus, and the message with the receipt must take focus.
            return redirect(meeting.get_absolute_url())
    return render(
        request,
        "meetings/input_form.html",
        {"meeting": meeting, "form": form},
        status=refused_status(form) if request.method == "POST" else 200,
    )


@require_POST
@login_required
def input_answer(request, pk: int):
    """A planner answers meeting input: the one feedback loop."""
    record = get_object_or_404(MeetingInput.objects.select_related("meeting"), pk=pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(record.meeting.get_absolute_url())
    loop.input_set_status(records=[record], actor=request.user, **form.cleaned_data)
    messages.success(request, _("The answer is saved and the participants who follow it are told."))
    # Without the input's fragment, so that the message takes focus (see input_new).
    return redirect(record.meeting.get_absolute_url())


def photo(request, pk: int):
    """A photo of a flip chart, our own JPEG of it."""
    found = get_object_or_404(MeetingPhoto.objects.select_related("input__meeting"), pk=pk)
    _meeting(request, found.input.meeting_id)
    return FileResponse(found.image.open("rb"), content_type="image/jpeg")


def follow(request, code: str):
    """The short form behind the QR code: a participant leaves an e-mail address."""
    meeting = get_object_or_404(Meeting.objects.public(), short_code=code)
    form = FollowForm(request.POST or None)
    status = 200
    sent = False
    if request.method == "POST":
        wait = check_rate_limits(request, FOLLOW_LIMITS)
        if wait:
            return _too_many(request, wait)
        if form.is_valid():
            try:
                services.follower_add(
                    meeting=meeting,
                    email=form.cleaned_data["email"],
                    language=translation.get_language() or "nb",
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                sent = True
        if not sent:
            status = refused_status(form)
    return render(
        request,
        "meetings/follow.html",
        {"meeting": meeting, "form": form, "sent": sent},
        status=status,
    )


def follow_confirm(request, code: str, token: str):
    """The signed link from the e-mail: a button confirms (a GET changes nothing, so a mail
    scanner that opens links does not confirm for the person)."""
    meeting = get_object_or_404(Meeting.objects.public(), short_code=code)
    error = None
    confirmed = False
    if request.method == "POST":
        try:
            services.follower_confirm(meeting=meeting, token=token)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            confirmed = True
    else:
        try:
            follow_token_read(token)
        except signing.BadSignature:
            error = _(
                "This confirmation link is not valid: it was changed, or it is older than "
                "%(days)s days. Leave your e-mail address again."
            ) % {"days": FOLLOW_LINK_DAYS}
    return render(
        request,
        "meetings/follow_confirm.html",
        {"meeting": meeting, "error": error, "confirmed": confirmed},
        status=400 if error else 200,
    )


# --- calendars ---------------------------------------------------------------------------------


def _ical_response(meetings, name: str, filename: str) -> HttpResponse:
    response = HttpResponse(
        meetings_ical(meetings, name=name), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _upcoming():
    return Meeting.objects.upcoming().select_related("municipality").prefetch_related("areas")


def calendar(request, code: str):
    """Upcoming meetings in a municipality."""
    municipality = get_object_or_404(Municipality, code=code)
    return render(
        request,
        "meetings/calendar.html",
        {
            "heading": _("Meetings in %(name)s") % {"name": municipality.name},
            "meetings": _upcoming().in_municipality(code),
            "feed_url": reverse("meetings:calendar_ics", args=[code]),
            "municipality": municipality,
        },
    )


def calendar_ics(request, code: str):
    municipality = get_object_or_404(Municipality, code=code)
    return _ical_response(
        _upcoming().in_municipality(code),
        _("Meetings in %(name)s") % {"name": municipality.name},
        f"meetings-{code}.ics",
    )


def area_calendar(request, pk: int):
    """Upcoming meetings in an area."""
    area = get_object_or_404(Area.objects.defer("geom"), pk=pk)
    return render(
        request,
        "meetings/calendar.html",
        {
            "heading": _("Meetings in %(name)s") % {"name": area.name},
            "meetings": _upcoming().in_area(area),
            "feed_url": reverse("meetings:area_calendar_ics", args=[area.pk]),
        },
    )


def area_calendar_ics(request, pk: int):
    area = get_object_or_404(Area.objects.defer("geom"), pk=pk)
    return _ical_response(
        _upcoming().in_area(area),
        _("Meetings in %(name)s") % {"name": area.name},
        f"meetings-area-{area.pk}.ics",
    )
