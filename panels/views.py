"""Panel pages (part A): the planner sets a panel up, uploads the register extract, draws
the invitations, downloads the letters, chooses the panel and tells the members; the public
page with the published seed; the volunteer's page, reached with the letter's code or its
QR code. Thin: forms, services, templates."""

from __future__ import annotations

import base64

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.idempotency import idempotent_form
from accounts.limits import check_rate_limits, throttle
from accounts.notifications import site_url
from areas.models import Area
from cases.models import Case
from core import csvfiles
from core.forms import add_service_errors, refused_status
from panels import services
from panels.forms import CodeForm, DrawForm, PanelForm, RegisterUploadForm, VolunteerForm
from panels.models import (
    Invitation,
    Panel,
    PanelStatus,
    RegisterPerson,
    Volunteer,
    VolunteerStatus,
)
from panels.register import RegisterFileError
from panels.selection import NO_AREA, QuotaProblem, code_check, code_display
from priorities.services import staff_role
from priorities.views import too_many

# Codes tried per client address: a letter's code is typed once or twice; guessing needs
# millions of tries against a 30-bit signature.
CODE_LIMITS = [throttle("panel_code", "address")]


def _panel(pk: int) -> Panel:
    return get_object_or_404(Panel.objects.select_related("case__municipality", "area_type"), pk=pk)


def _staff_panel(request, pk: int) -> Panel:
    panel = _panel(pk)
    services.panel_staff_check(request.user, panel)
    return panel


@login_required
@idempotent_form
def panel_new(request, case_pk: int):
    """A planner sets up a panel on a case."""
    case = get_object_or_404(Case.objects.select_related("municipality"), pk=case_pk)
    staff_role(request.user, case.municipality_id, services.PANEL_ROLES)
    form = PanelForm(request.POST or None, initial={"title": case.title})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            panel = services.panel_create(
                user=request.user,
                case=case,
                title=data["title"],
                description=data["description"],
                themes=data["themes"],
                target_size=data["target_size"],
                invitations=data["invitations"],
                strata=form.strata(),
                area_type=data["area_type"],
                minimum_age=data["minimum_age"],
                quota_tolerance=data["quota_tolerance"],
                retention_days=data["retention_days"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The panel is set up. Upload the register extract next."))
            return redirect("panels:manage", panel.pk)
    status = refused_status(form) if form.is_bound else 200
    return render(
        request,
        "panels/panel_form.html",
        {"case": case, "form": form, "panels": case.panels.all()},
        status=status,
    )


def _area_names(panel: Panel) -> dict[str, str]:
    if not panel.area_type_id:
        return {}
    return {
        str(pk): name
        for pk, name in Area.objects.filter(
            municipality_id=panel.case.municipality_id, type_id=panel.area_type_id
        ).values_list("pk", "name")
    }


def _representation_data(panel: Panel) -> dict | None:
    result = services.members_representation(panel)
    return result.as_data(public=False) if result else None


def _manage_context(panel: Panel, **extra) -> dict:
    register = RegisterPerson.objects.of_panel(panel)
    invitations = Invitation.objects.filter(panel=panel).aggregate(
        drawn=Count("pk"), used=Count("pk", filter=Q(used_at__isnull=False))
    )
    has_register = register.exists()
    volunteers = list(
        Volunteer.objects.of_panel(panel).order_by("status", "alternate_rank", "name")
    )
    quotas = []
    area_names = _area_names(panel)
    if has_register and panel.status != PanelStatus.DRAFT:
        quotas = services.panel_quotas(panel)
        for quota in quotas:
            quota.label = services.stratum_label(quota.stratum)
            quota.value_label = services.value_label(quota.stratum, quota.value, area_names)
            quota.share_percent = quota.share * 100
    for volunteer in volunteers:
        volunteer.strata_text = ", ".join(
            services.value_label(stratum, volunteer.strata.get(stratum, NO_AREA), area_names)
            for stratum in panel.strata
        )
        volunteer.probability_percent = (volunteer.selection_probability or 0) * 100
    return {
        "panel": panel,
        "upload": getattr(panel, "register_upload", None),
        "has_register": has_register,
        "register_count": register.count() if has_register else 0,
        "invitations": invitations,
        "volunteers": volunteers,
        "members": [v for v in volunteers if v.status == VolunteerStatus.SELECTED],
        "alternates": sorted(
            (v for v in volunteers if v.status == VolunteerStatus.ALTERNATE),
            key=lambda v: v.alternate_rank or 0,
        ),
        "quotas": quotas,
        "short": [q for q in quotas if q.short],
        "deletions": panel.register_deletions.select_related("deleted_by"),
        "upload_form": RegisterUploadForm(),
        "draw_form": DrawForm(),
        "strata_labels": [services.stratum_label(s) for s in panel.strata],
        "representation": _representation_data(panel),
        **extra,
    }


@login_required
def panel_manage(request, pk: int):
    """The panel's work page, for its staff only."""
    panel = _staff_panel(request, pk)
    return render(request, "panels/panel_manage.html", _manage_context(panel))


@login_required
@require_POST
def register_upload(request, pk: int):
    """Upload the register extract: written whole, or not at all with a report by row."""
    panel = _staff_panel(request, pk)
    form = RegisterUploadForm(request.POST, request.FILES)
    report = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.register_upload(user=request.user, panel=panel, data=upload.read())
        except RegisterFileError as exc:
            form.add_error("file", ValidationError(str(exc), code="unusable"))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if report.written:
                messages.success(
                    request,
                    _("The register extract is stored: %(n)s people.")
                    % {"n": len(report.bad) or report.rows},
                )
                return redirect("panels:manage", panel.pk)
            form.add_error(
                "file",
                _("%(n)s rows are bad; nothing was stored. Correct them and upload again.")
                % {"n": report.bad_count},
            )
    status = refused_status(form) if form.errors else 200
    if status == 400:
        status = 422 if report is not None else 400
    return render(
        request,
        "panels/panel_manage.html",
        _manage_context(panel, upload_form=form, report=report),
        status=status,
    )


@login_required
@require_POST
def invitations_draw(request, pk: int):
    """Draw the invitations with the published seed."""
    panel = _staff_panel(request, pk)
    form = DrawForm(request.POST)
    if form.is_valid():
        try:
            drawn = services.invitations_draw(
                user=request.user, panel=panel, seed=form.cleaned_data["seed"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(n)s invitations are drawn.") % {"n": drawn})
            return redirect("panels:manage", panel.pk)
    return render(
        request,
        "panels/panel_manage.html",
        _manage_context(panel, draw_form=form),
        status=400,
    )


def _letters(panel: Panel):
    invitations = Invitation.objects.filter(panel=panel).select_related("person").order_by("drawn")
    start = site_url(reverse("panels:volunteer_start"))
    for invitation in invitations.iterator(chunk_size=2000):
        person = invitation.person
        yield {
            "number": invitation.drawn,
            "postal_address": person.postal_address or person.address,
            "postcode": person.postcode,
            "post_town": person.post_town,
            "code": code_display(invitation.code),
            "url": site_url(reverse("panels:volunteer", args=[invitation.code])),
            "start": start,
        }


def _letters_panel(request, pk: int) -> Panel:
    panel = _staff_panel(request, pk)
    if not Invitation.objects.filter(panel=panel).exists():
        raise Http404(_("There are no letters: no invitations, or the register is deleted."))
    return panel


@login_required
def invitation_letters(request, pk: int):
    """The letters' addresses and codes as CSV (for a mail merge): staff only, and only
    while the register exists."""
    panel = _letters_panel(request, pk)
    header = ["number", "postal_address", "postcode", "post_town", "code", "url"]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="panel-{panel.pk}-letters.csv"'
    response["Cache-Control"] = "no-store"
    response.write("\ufeff")  # a BOM, so that Excel reads the letters' æøå as UTF-8
    writer = csvfiles.DictWriter(response, fieldnames=header, delimiter=";", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(_letters(panel))
    return response


@login_required
def invitation_letters_pdf(request, pk: int):
    """The letters as a PDF, one page each with the code and its QR code: staff only, and
    only while the register exists."""
    from weasyprint import HTML  # heavy; only this view needs it (as cases.services does)

    panel = _letters_panel(request, pk)
    letters = []
    for letter in _letters(panel):
        svg = segno.make(letter["url"], error="m").svg_inline(scale=4, border=2)
        letter["qr"] = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
        letters.append(letter)
    document = render_to_string(
        "panels/invitation_letters_pdf.html", {"panel": panel, "letters": letters}
    )
    response = HttpResponse(
        HTML(string=document, base_url=None).write_pdf(), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="panel-{panel.pk}-letters.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def selection_run(request, pk: int):
    """Choose the panel among the volunteers (nothing is sent yet)."""
    panel = _staff_panel(request, pk)
    try:
        services.panel_select(user=request.user, panel=panel)
    except QuotaProblem as problem:
        lines = services.quota_problem_text(problem, _area_names(panel))
        return render(
            request,
            "panels/panel_manage.html",
            _manage_context(panel, selection_problems=lines),
            status=409,
        )
    except ValidationError as exc:
        return render(
            request,
            "panels/panel_manage.html",
            _manage_context(panel, selection_problems=exc.messages),
            status=409,
        )
    messages.success(request, _("The panel is chosen. Check it, then tell the members."))
    return redirect(f"{reverse('panels:manage', args=[panel.pk])}")


@login_required
@require_POST
def members_tell(request, pk: int):
    """E-mail the members and alternates (once)."""
    panel = _staff_panel(request, pk)
    try:
        told = services.members_tell(user=request.user, panel=panel)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("%(n)s members and alternates are told by e-mail.") % {"n": told}
        )
    return redirect("panels:manage", panel.pk)


@login_required
@require_POST
def panel_close(request, pk: int):
    """Close the panel (the register is deleted now, or after its retention days)."""
    panel = _staff_panel(request, pk)
    services.panel_close(user=request.user, panel=panel)
    messages.success(request, _("The panel is closed."))
    return redirect("panels:manage", panel.pk)


def panel_detail(request, pk: int):
    """The panel's public page: what it is asked, its themes, the published seed."""
    panel = _panel(pk)
    staff = request.user.is_authenticated and panel.case.municipality_id in {
        muni for role, muni in request.user._grants() if role in services.PANEL_ROLES
    }
    return render(
        request,
        "panels/panel_detail.html",
        {
            "panel": panel,
            "themes": panel.themes.all(),
            "members": Volunteer.objects.filter(
                panel=panel, status=VolunteerStatus.SELECTED
            ).count(),
            "volunteers": Volunteer.objects.of_panel(panel).count(),
            "staff": staff,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def volunteer_start(request):
    """Where the letter sends people: type the code."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = check_rate_limits(request, CODE_LIMITS)
        if wait:
            return too_many(request, wait)
        try:
            found = services.invitation_find(form.cleaned_data["code"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("panels:volunteer", found.invitation.code)
    status = refused_status(form) if form.is_bound and form.errors else 200
    return render(request, "panels/volunteer_start.html", {"form": form}, status=status)


def _sessions(panel: Panel) -> list[tuple[int, str]]:
    return [
        (
            session.pk,
            f"{timezone.localtime(session.meeting.starts_at):%d.%m.%Y %H:%M} {session.meeting.title}",
        )
        for session in panel.sessions.select_related("meeting")
    ]


@require_http_methods(["GET", "HEAD", "POST"])
def volunteer_form(request, code: str):
    """The volunteer's answer, from the letter's code or its QR code."""
    wait = check_rate_limits(request, CODE_LIMITS)
    if wait:
        return too_many(request, wait)
    if code_check(code) is None:
        form = CodeForm({"code": code})
        form.is_valid()
        form.add_error("code", _("This code is not valid. Check it against your letter."))
        return render(request, "panels/volunteer_start.html", {"form": form}, status=404)
    try:
        found = services.invitation_find(code)
    except ValidationError as exc:
        form = CodeForm({"code": code})
        form.is_valid()
        add_service_errors(form, exc)
        status = 409 if exc.code == "used_code" else 404
        return render(request, "panels/volunteer_start.html", {"form": form}, status=status)
    panel = found.panel
    sessions = _sessions(panel)
    initial = {"birth_year": found.birth_year, "gender": found.gender, "area": found.area_id}
    form = VolunteerForm(request.POST or None, panel=panel, sessions=sessions, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            volunteer = services.volunteer_register(
                code=code,
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                birth_year=data["birth_year"],
                gender=data["gender"],
                area=data.get("area"),
                availability=data.get("availability") or [],
                language=translation.get_language() or "nb",
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return render(
                request, "panels/volunteer_done.html", {"panel": panel, "volunteer": volunteer}
            )
    status = refused_status(form) if form.is_bound and form.errors else 200
    return render(
        request,
        "panels/volunteer_form.html",
        {"form": form, "panel": panel, "code": code_display(found.invitation.code)},
        status=status,
    )
