"""Pages for residents and staff: pin, read, support, report, answer, moderate."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.idempotency import idempotent_form
from accounts.limits import check_rate_limits, throttle
from accounts.models import Role
from areas.forms import AddressLookupForm, PointLookupForm
from areas.geo import lon_lat_point
from areas.models import Area, Municipality
from core.forms import add_service_errors
from priorities import kinds, services
from priorities.forms import (
    ModerationForm,
    PreferencesForm,
    PriorityForm,
    RedactForm,
    ReplyForm,
    ReplyModerationForm,
    ReportForm,
    StatusForm,
)
from priorities.models import Priority, Status, Visibility

STAFF_ROLES = services.HIDDEN_INPUT_ROLES
CREATE_LIMITS = [throttle("priority_create", "user"), throttle("priority_create", "address")]
SUPPORT_LIMITS = [throttle("support", "user"), throttle("support", "address")]
REPORT_LIMITS = [throttle("report", "user"), throttle("report", "address")]


def home(request):
    """The demo (or only) municipality's page."""
    municipality = (
        Municipality.objects.filter(code=settings.NABOLAGET_DEMO_MUNICIPALITY).first()
        or Municipality.objects.with_areas().first()
    )
    if municipality is None:
        return render(request, "priorities/empty.html")
    return municipality_detail(request, municipality.code)


def municipality_detail(request, code: str):
    """A municipality's map, its areas as a list, and the areas under a chosen point."""
    municipality = get_object_or_404(Municipality, code=code)
    areas = (
        Area.objects.in_force()
        .in_municipality(code)
        .select_related("type")
        .order_by("type__slug", "name")
        .defer("geom")
    )
    asked = "lat" in request.GET or "lon" in request.GET
    form = PointLookupForm(request.GET if asked else None)
    by_address = "address" in request.GET and not asked
    address_form = AddressLookupForm(request.GET if by_address else None, municipality=municipality)
    point = None
    if asked and form.is_valid():
        point = lon_lat_point(form.cleaned_data["lon"], form.cleaned_data["lat"])
    elif by_address and address_form.is_valid():
        point = address_form.cleaned_data.get("point")
    found = None
    if point is not None:
        found = list(Area.objects.covering(point).select_related("type").defer("geom"))
    refused = (asked and form.errors) or (by_address and address_form.errors)
    status = 400 if refused else 200
    return render(
        request,
        "priorities/municipality.html",
        {
            "municipality": municipality,
            "areas": areas,
            "form": form,
            "address_form": address_form,
            "found": found,
            "latest": Priority.public_objects.in_municipality(code)
            .select_related("category")
            .order_by("-created_at")[:5],
        },
        status=status,
    )


def too_many(request, wait: int) -> HttpResponse:
    response = render(request, "priorities/too_many.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _visible_priority(request, pk: int) -> Priority:
    """The priority if this person may see it (public, theirs, or they are staff there); else
    404, whatever they ask to do with it, so that a hidden priority's existence does not show."""
    return get_object_or_404(
        Priority.all_objects.visible_to(request.user, STAFF_ROLES)
        .select_related("category", "municipality")
        .with_api_point(),
        pk=pk,
    )


def _default_municipality() -> Municipality:
    municipality = (
        Municipality.objects.filter(code=settings.NABOLAGET_DEMO_MUNICIPALITY).first()
        or Municipality.objects.with_areas().first()
    )
    if municipality is None:
        raise Http404
    return municipality


@login_required
@idempotent_form
def priority_new(request, code: str | None = None):
    """Pin a priority: place, category, title, why; offer similar ones nearby to support instead."""
    municipality = get_object_or_404(Municipality, code=code) if code else _default_municipality()
    form = PriorityForm(request.POST or None, municipality=municipality)
    nearby = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not data.get("confirm_new"):
            nearby = list(
                services.priority_nearby_similar(point=data["point"], category=data["category"])
            )
        if not nearby:
            wait = check_rate_limits(request, CREATE_LIMITS)
            if wait:
                return too_many(request, wait)
            try:
                priority = services.priority_create(
                    author=request.user,
                    point=data["point"],
                    category=data["category"],
                    title=data["title"],
                    text=data["text"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(
                        None if field in ("geometry", "__all__", "point") else field, errors
                    )
            else:
                return redirect(f"{priority.get_absolute_url()}?receipt=1")
    return render(
        request,
        "priorities/new.html",
        {"form": form, "municipality": municipality, "nearby": nearby},
        status=400 if request.method == "POST" and form.errors else 200,
    )


def priority_detail(request, pk: int, *, forms: dict | None = None, status: int = 200):
    """A priority with its status history, support and (for staff) the answer and moderation
    forms; ``forms`` holds a staff form posted with errors, shown again with them."""
    priority = get_object_or_404(
        Priority.all_objects.visible_to(request.user, STAFF_ROLES, merged=True)
        .select_related("category", "municipality", "merged_into")
        .with_api_point(),
        pk=pk,
    )
    user = request.user
    history = priority.status_changes.all()
    supported = (
        user.is_authenticated and priority.supports.filter(user=user, withdrawn_at=None).exists()
    )
    roles = set()
    if user.is_authenticated:
        roles = {role for role, muni in user._grants() if muni == priority.municipality_id}
    context = {
        "priority": priority,
        "history": history,
        "areas": priority.areas.select_related("type").defer("geom").order_by("type__slug"),
        "supported": supported,
        "is_author": user.is_authenticated and priority.author_id == user.pk,
        "show_receipt": request.GET.get("receipt") == "1"
        and user.is_authenticated
        and priority.author_id == user.pk,
        "can_answer": bool(roles & {Role.PLANNER, Role.ADMINISTRATOR})
        and priority.visibility != Visibility.MERGED,
        "can_moderate": bool(roles & {Role.MODERATOR, Role.ADMINISTRATOR}),
        "status_form": StatusForm(),
        "report_form": ReportForm(),
        "moderation_form": ModerationForm(),
        "redact_form": RedactForm(initial={"title": priority.title, "text": priority.text}),
        **(forms or {}),
    }
    return render(request, "priorities/detail.html", context, status=status)


@require_POST
@idempotent_form
def priority_support(request, pk: int):
    """Support (or, with action=withdraw, stop supporting) a priority."""
    if not request.user.is_authenticated:
        return redirect(f"{settings.LOGIN_URL}?next={request.path}")
    priority = _visible_priority(request, pk)
    wait = check_rate_limits(request, SUPPORT_LIMITS)
    if wait:
        return too_many(request, wait)
    withdraw = request.POST.get("action") == "withdraw"
    try:
        if withdraw:
            services.support_withdraw(priority=priority, user=request.user)
            messages.success(request, _("You no longer support this priority."))
        else:
            services.support_add(priority=priority, user=request.user)
            messages.success(request, _("Thank you for your support."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(priority, 400, request)
    return redirect(priority.get_absolute_url())


def _back(priority, status_code: int, request):
    response = priority_detail(request, priority.pk)
    response.status_code = status_code
    return response


@require_POST
@login_required
@idempotent_form
def priority_report(request, pk: int):
    priority = _visible_priority(request, pk)
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tell us briefly what is wrong."))
        return _back(priority, 400, request)
    wait = check_rate_limits(request, REPORT_LIMITS)
    if wait:
        return too_many(request, wait)
    try:
        services.priority_report(
            priority=priority, user=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(priority, 400, request)
    messages.success(request, _("Thank you. A moderator will look at it."))
    return redirect(priority.get_absolute_url())


def _staff_action(request, pk: int, form_class, action, success: str, form_name: str):
    """A staff form posted from a priority's page: validate, run the service, report back.
    A form with errors is shown again on the page (as ``form_name``), with its summary."""
    priority = _visible_priority(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        return priority_detail(request, priority.pk, forms={form_name: form}, status=400)
    try:
        action(priority, form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(priority, 400, request)
    messages.success(request, success)
    return redirect(priority.get_absolute_url())


@require_POST
@login_required
@idempotent_form
def priority_answer(request, pk: int):
    """A planner sets a new status with a public answer."""
    return _staff_action(
        request,
        pk,
        StatusForm,
        lambda priority, data: services.input_set_status(
            records=[priority], actor=request.user, **data
        ),
        _("The answer is saved and the residents will be told."),
        "status_form",
    )


@require_POST
@login_required
def priority_moderate(request, pk: int):
    """A moderator hides a priority with a reason, or makes it public again."""
    return _staff_action(
        request,
        pk,
        ModerationForm,
        lambda priority, data: services.priority_moderate(
            priority=priority,
            moderator=request.user,
            hide=data["action"] == "hide",
            reason=data["reason"],
        ),
        _("Saved."),
        "moderation_form",
    )


@require_POST
@login_required
def priority_redact(request, pk: int):
    """A moderator removes personal data from the text; the history keeps the original."""
    return _staff_action(
        request,
        pk,
        RedactForm,
        lambda priority, data: services.priority_redact(
            priority=priority, moderator=request.user, **data
        ),
        _("The text is redacted. The original is kept in the protected history."),
        "redact_form",
    )


@login_required
def moderation_queue(request):
    """Priorities hidden by reports or by a moderator, in the moderator's municipalities."""
    municipalities = request.user.staff_municipality_ids(Role.MODERATOR, Role.ADMINISTRATOR)
    if not municipalities:
        raise PermissionDenied
    pending = (
        Priority.all_objects.filter(municipality__in=municipalities)
        .exclude(visibility__in=[Visibility.PUBLIC, Visibility.MERGED])
        .with_open_reports()
        .select_related("category")
        .order_by("visibility", "-created_at")
    )
    reported = (
        Priority.public_objects.filter(municipality__in=municipalities)
        .reported()
        .with_open_reports()
        .select_related("category")
        .order_by("created_at")
    )
    return render(request, "priorities/moderation.html", {"pending": pending, "reported": reported})


@login_required
def my_page(request):
    """The resident's own input, the priorities they support, and their e-mail settings."""
    user = request.user
    form = PreferencesForm(
        request.POST or None,
        initial={"notify_by_email": user.notify_by_email, "language": user.language},
    )
    if request.method == "POST" and form.is_valid():
        user.notify_by_email = form.cleaned_data["notify_by_email"]
        user.language = form.cleaned_data["language"]
        user.save(update_fields=["notify_by_email", "language"])
        messages.success(request, _("Your settings are saved."))
        return redirect("priorities:me")
    mine = (
        Priority.all_objects.filter(author=user).select_related("category").order_by("-created_at")
    )
    supported = (
        Priority.public_objects.filter(supports__user=user, supports__withdrawn_at=None)
        .select_related("category")
        .order_by("-created_at")
    )
    return render(
        request,
        "priorities/me.html",
        {
            "form": form,
            "mine": mine,
            "supported": supported,
            "is_councillor": bool(user.staff_municipality_ids(Role.COUNCILLOR)),
        },
    )


def area_answered(request, pk: int):
    """ "You said — we did": answered input in an area, newest answer first."""
    area = get_object_or_404(Area.objects.select_related("type", "municipality"), pk=pk)
    answered = (
        Priority.public_objects.in_area(area)
        .answered()
        .select_related("category")
        .prefetch_related("status_changes")
        .order_by("-status_changed_at", "-id")
    )
    page = Paginator(answered, 25).get_page(request.GET.get("page"))
    for priority in page.object_list:
        changes = list(priority.status_changes.all())
        priority.latest_change = changes[-1] if changes else None
    return render(request, "priorities/answered.html", {"area": area, "page": page})


def area_priorities(request, pk: int):
    """All public priorities in an area, a list that needs no map."""
    area = get_object_or_404(Area.objects.select_related("type", "municipality"), pk=pk)
    priorities = (
        Priority.public_objects.in_area(area)
        .select_related("category")
        .order_by("-created_at", "-id")
    )
    page = Paginator(priorities, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "priorities/area_list.html",
        {
            "area": area,
            "page": page,
            "statuses": Status,
            "other_inputs": kinds.listed_sections(lambda records: records.filter(areas=area), 25),
        },
    )


# --- Elected members' replies: one page and three posts for every kind with replies ------


def replies_context(user, record, forms: dict | None = None) -> dict:
    """What ``priorities/_replies.html`` shows for a record: its replies, each with its
    answer back, and the forms this account may use (``forms`` holds one posted with
    errors, by name: ``reply``, ``answer-<id>``, ``moderate-<id>``)."""
    forms = forms or {}
    kind = kinds.of(record)
    rows = list(kind.replies.objects.filter(record=record).order_by("created_at", "id"))
    answers = {row.parent_id: row for row in rows if row.parent_id}
    roles = set()
    if user.is_authenticated:
        roles = {role for role, muni in user._grants() if muni == record.municipality_id}
    public = kind.public_records().filter(pk=record.pk).exists()
    is_author = user.is_authenticated and record.author_id == user.pk
    threads = []
    for row in rows:
        if row.parent_id is not None:
            continue
        answer = answers.get(row.pk)
        can_answer = is_author and public and answer is None and row.is_public
        threads.append(
            {
                "reply": row,
                "answer": answer,
                # A form posted with errors is shown again (with why it was refused, e.g.
                # answered already); a new one only to the author who may still answer.
                "answer_form": forms.get(f"answer-{row.pk}")
                or (ReplyForm(prefix=f"answer-{row.pk}", answer=True) if can_answer else None),
            }
        )
    can_moderate = bool(roles & set(services.MODERATOR_ROLES))
    moderation = {}
    if can_moderate:
        moderation = {
            row.pk: forms.get(f"moderate-{row.pk}")
            or ReplyModerationForm(
                prefix=f"moderate-{row.pk}",
                initial={"action": "restore" if not row.is_public else "hide"},
            )
            for row in rows
        }
        for thread in threads:
            thread["moderation_form"] = moderation[thread["reply"].pk]
            if thread["answer"]:
                thread["answer_moderation_form"] = moderation[thread["answer"].pk]
    can_reply = Role.COUNCILLOR in roles and public and user.is_active
    return {
        "kind": kind,
        "record": record,
        "threads": threads,
        "can_reply": can_reply or "reply" in forms,
        "reply_form": forms.get("reply") or (ReplyForm(prefix="reply") if can_reply else None),
        "can_moderate": can_moderate,
        "is_author": is_author,
    }


def _reply_kind(key: str) -> kinds.InputKind:
    try:
        kind = kinds.get(key)
    except KeyError as exc:
        raise Http404 from exc
    if kind.replies is None:
        raise Http404
    return kind


def _record_for_replies(request, kind: kinds.InputKind, pk: int):
    """The record if this person may see it (public, theirs, or they are staff there), else
    404: a hidden record's existence does not show."""
    record = kind.model._base_manager.select_related(*kind.select).filter(pk=pk).first()
    if record is None:
        raise Http404
    user = request.user
    if kind.public_records().filter(pk=pk).exists():
        return record
    if user.is_authenticated and (
        record.author_id == user.pk
        or record.municipality_id in user.staff_municipality_ids(*STAFF_ROLES)
    ):
        return record
    raise Http404


def _reply_for(request, kind: kinds.InputKind, pk: int):
    reply = get_object_or_404(kind.replies.objects.select_related("record"), pk=pk)
    _record_for_replies(request, kind, reply.record_id)
    return reply


def _replies_page(request, record, forms=None, status: int = 200):
    return render(
        request,
        "priorities/replies.html",
        {"record": record, "r": replies_context(request.user, record, forms)},
        status=status,
    )


@idempotent_form
def replies_page(request, kind: str, pk: int):
    """A record's replies from elected members on a page of their own (also where a
    refused reply form is shown again); a councillor of its municipality POSTs a reply."""
    input_kind = _reply_kind(kind)
    record = _record_for_replies(request, input_kind, pk)
    if request.method != "POST":
        return _replies_page(request, record)
    if not request.user.is_authenticated:
        return redirect(f"{settings.LOGIN_URL}?next={request.path}")
    services.councillor_grant(request.user, record.municipality_id)  # 403 before reading
    form = ReplyForm(request.POST, prefix="reply")
    if form.is_valid():
        try:
            services.reply_create(record, request.user, form.cleaned_data["text"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Your reply is published. The author and followers will be told.")
            )
            return redirect(input_kind.replies_url(record, fragment=False))
    return _replies_page(request, record, {"reply": form}, status=400)


@require_POST
@login_required
@idempotent_form
def reply_answer(request, kind: str, pk: int):
    """The input's author answers an elected member's reply, once."""
    input_kind = _reply_kind(kind)
    reply = _reply_for(request, input_kind, pk)
    services.reply_author_check(request.user, reply)  # 403 before reading
    prefix = f"answer-{reply.pk}"
    form = ReplyForm(request.POST, prefix=prefix, answer=True)
    if form.is_valid():
        try:
            services.reply_answer_back(reply, request.user, form.cleaned_data["text"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your answer is published."))
            return redirect(input_kind.replies_url(reply.record, fragment=False))
    return _replies_page(request, reply.record, {prefix: form}, status=400)


@require_POST
@login_required
def reply_moderate(request, kind: str, pk: int):
    """A moderator hides a reply (or an answer back) with a reason, or shows it again."""
    input_kind = _reply_kind(kind)
    reply = _reply_for(request, input_kind, pk)
    services.staff_role(request.user, reply.record.municipality_id, services.MODERATOR_ROLES)
    prefix = f"moderate-{reply.pk}"
    form = ReplyModerationForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            services.reply_moderate(
                reply,
                request.user,
                hide=form.cleaned_data["action"] == "hide",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(input_kind.replies_url(reply.record, fragment=False))
    return _replies_page(request, reply.record, {prefix: form}, status=400)
