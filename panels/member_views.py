"""Pages of a panel's members (through their personal link: the member area, the survey)
and of the planner (members' links, the information beforehand, the sessions, the survey's
questions and results). The information and, once the survey is closed, its results are
public."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.idempotency import idempotent_form
from accounts.limits import check_rate_limits, throttle
from accounts.models import Role
from cases.layers import case_layers
from core.forms import add_service_errors, refused_status
from panels import information, members, survey
from panels.member_forms import (
    InformationForm,
    LinksForm,
    QuestionForm,
    SessionForm,
    SummaryForm,
    SurveyAnswerForm,
)
from panels.member_links import SESSION_KEY
from panels.models import (
    MemberAccess,
    Panel,
    PanelSession,
    PanelStatus,
    PanelTheme,
    Question,
    SurveyResponse,
    ThemeDocument,
    Volunteer,
    VolunteerStatus,
)

MEMBER_LINK_LIMITS = [throttle("panel_member", "address")]
PLANNER_ROLES = (Role.PLANNER, Role.ADMINISTRATOR)


def _is_planner(request, panel: Panel) -> bool:
    return request.user.is_authenticated and bool(
        request.user.staff_municipality_ids(*PLANNER_ROLES) & {panel.case.municipality_id}
    )


def _panel(pk: int) -> Panel:
    return get_object_or_404(Panel.objects.select_related("case__municipality"), pk=pk)


def _planner_panel(request, pk: int) -> Panel:
    panel = _panel(pk)
    if not _is_planner(request, panel):
        raise PermissionDenied(_("Only the municipality's planners work on its panels."))
    return panel


def _too_many(request, wait: int):
    response = render(request, "priorities/too_many.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _member(request, panel: Panel) -> MemberAccess | None:
    """The member's access held by this browser for this panel (opened from their link),
    if it still holds (revoked, replaced or the panel closed: it does not)."""
    data = request.session.get(SESSION_KEY)
    if not data:
        return None
    try:
        access = members.member_access_read(data)
    except ValidationError:
        request.session.pop(SESSION_KEY, None)
        return None
    return access if access.volunteer.panel_id == panel.pk else None


def _not_member(request, panel: Panel | None = None, status: int = 403):
    return render(request, "panels/member_invalid.html", {"panel": panel}, status=status)


# --- members -----------------------------------------------------------------------------


def member_enter(request, token: str):
    """A member's personal link: checked (rate-limited per address), kept in this browser's
    session, and the member area shown at an address without the token."""
    wait = check_rate_limits(request, MEMBER_LINK_LIMITS)
    if wait:
        return _too_many(request, wait)
    try:
        access = members.member_access_from_token(token)
    except ValidationError:
        return _not_member(request, status=404)
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"a": access.pk, "n": access.nonce}
    return redirect("panels:member_home", access.volunteer.panel_id)


def member_home(request, pk: int):
    """The member area: the themes and their information, the sessions (with a digital
    session's link), and the survey."""
    panel = _panel(pk)
    access = _member(request, panel)
    if access is None:
        return _not_member(request, panel)
    the_survey = getattr(panel, "survey", None)
    answered = (
        the_survey is not None
        and SurveyResponse.objects.filter(survey=the_survey, volunteer=access.volunteer).exists()
    )
    return render(
        request,
        "panels/member_home.html",
        {
            "panel": panel,
            "access": access,
            "themes": panel.themes.prefetch_related("documents"),
            "sessions": panel.sessions.select_related("meeting", "detail"),
            "survey": the_survey,
            "answered": answered,
        },
    )


def survey_answer(request, pk: int):
    """A member answers the survey, once."""
    panel = _panel(pk)
    access = _member(request, panel)
    if access is None:
        return _not_member(request, panel)
    the_survey = getattr(panel, "survey", None)
    if the_survey is None or not the_survey.is_open:
        messages.error(request, _("The survey is not open."))
        return redirect("panels:member_home", panel.pk)
    questions = list(the_survey.questions.all())
    if SurveyResponse.objects.filter(survey=the_survey, volunteer=access.volunteer).exists():
        return render(
            request,
            "panels/survey_answered.html",
            {"panel": panel},
            status=409 if request.method == "POST" else 200,
        )
    form = SurveyAnswerForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            survey.survey_answer(
                survey=the_survey, volunteer=access.volunteer, answers=form.answers()
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "answered":
                return render(request, "panels/survey_answered.html", {"panel": panel}, status=409)
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you: your answers are saved."))
            return redirect("panels:member_home", panel.pk)
    return render(
        request,
        "panels/survey_form.html",
        {"panel": panel, "survey": the_survey, "form": form},
        status=refused_status(form) if request.method == "POST" else 200,
    )


# --- public: the information beforehand, the results of a closed survey -------------------


def _visible(request, panel: Panel) -> bool:
    return panel.status != PanelStatus.DRAFT or _is_planner(request, panel)


def information_page(request, pk: int):
    """The information beforehand: per theme its text and PDFs, and the case's map layers
    (as the case page shows them). Public once the panel is no longer being set up."""
    panel = _panel(pk)
    if not _visible(request, panel):
        raise Http404
    return render(
        request,
        "panels/information.html",
        {
            "panel": panel,
            "case": panel.case,
            "themes": panel.themes.prefetch_related("documents"),
            "layers": case_layers(panel.case),
            "member": _member(request, panel),
            "is_planner": _is_planner(request, panel),
        },
    )


def document(request, pk: int):
    """A theme's PDF, as a download (never shown inline on our origin)."""
    item = get_object_or_404(ThemeDocument.objects.select_related("theme__panel__case"), pk=pk)
    if not _visible(request, item.theme.panel):
        raise Http404
    response = FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.name, content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def survey_results(request, pk: int):
    """The survey's results: for the planner at any time, for everyone once closed."""
    panel = _panel(pk)
    the_survey = getattr(panel, "survey", None)
    planner = _is_planner(request, panel)
    if the_survey is None or not (planner or the_survey.closed_at is not None):
        raise Http404
    return render(
        request,
        "panels/survey_results.html",
        {"panel": panel, "results": survey.survey_results(the_survey), "is_planner": planner},
    )


# --- the planner -------------------------------------------------------------------------


@login_required
def members_page(request, pk: int):
    """The panel's members and their personal links: send, revoke, renew."""
    panel = _planner_panel(request, pk)
    chosen = (
        Volunteer.objects.filter(panel=panel, status=VolunteerStatus.SELECTED)
        .select_related("access")
        .order_by("name", "pk")
    )
    form = LinksForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = members.member_links_send(
                actor=request.user, panel=panel, language=get_language()
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(n)s links are being e-mailed.") % {"n": made})
        return redirect("panels:members", panel.pk)
    return render(
        request, "panels/member_links.html", {"panel": panel, "members": chosen, "form": form}
    )


@require_POST
@login_required
def member_link_change(request, pk: int, action: str):
    """Revoke a member's link, or send a new one (the old one then fails)."""
    access = get_object_or_404(MemberAccess.objects.select_related("volunteer__panel__case"), pk=pk)
    panel = _planner_panel(request, access.volunteer.panel_id)
    if action not in ("revoke", "renew"):
        raise Http404
    try:
        if action == "revoke":
            members.member_link_revoke(actor=request.user, access=access)
            messages.success(request, _("The link is revoked."))
        else:
            members.member_link_renew(actor=request.user, access=access)
            messages.success(request, _("A new link is being e-mailed; the old one is revoked."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("panels:members", panel.pk)


@login_required
@idempotent_form
def information_edit(request, pk: int):
    """The planner writes a theme's information and adds its PDFs."""
    theme = get_object_or_404(PanelTheme.objects.select_related("panel__case"), pk=pk)
    panel = _planner_panel(request, theme.panel_id)
    form = InformationForm(
        request.POST or None,
        request.FILES or None,
        theme=theme,
        initial={"information": theme.information},
    )
    if request.method == "POST" and form.is_valid():
        try:
            information.theme_information_save(
                actor=request.user, theme=theme, information=form.cleaned_data["information"]
            )
            if form.cleaned_data["documents"]:
                information.theme_documents_add(
                    actor=request.user, theme=theme, uploads=form.cleaned_data["documents"]
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The information is saved."))
            return redirect(reverse("panels:information", args=[panel.pk]) + f"#theme-{theme.pk}")
    return render(
        request,
        "panels/information_form.html",
        {"panel": panel, "theme": theme, "form": form},
        status=refused_status(form) if request.method == "POST" else 200,
    )


@login_required
@idempotent_form
def sessions_page(request, pk: int):
    """The panel's sessions (meetings) and their summaries; the planner adds one."""
    panel = _planner_panel(request, pk)
    form = SessionForm(request.POST or None, panel=panel)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            information.session_add(
                actor=request.user,
                panel=panel,
                title=data["title"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                digital=data["digital"],
                link=data["link"],
                point=data["point"],
                place_name=data["place_name"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The session is added, as a meeting on the case."))
            return redirect("panels:sessions", panel.pk)
    return render(
        request,
        "panels/session_list.html",
        {
            "panel": panel,
            "form": form,
            "sessions": panel.sessions.select_related("meeting", "detail"),
            "summary_form": SummaryForm(),
        },
        status=refused_status(form) if request.method == "POST" else 200,
    )


@require_POST
@login_required
def session_summary(request, pk: int):
    """The planner writes the summary of a session."""
    session = get_object_or_404(PanelSession.objects.select_related("panel__case"), pk=pk)
    panel = _planner_panel(request, session.panel_id)
    form = SummaryForm(request.POST)
    if form.is_valid():
        try:
            information.session_summary_save(
                actor=request.user, session=session, summary=form.cleaned_data["summary"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The summary is saved."))
            return redirect("panels:sessions", panel.pk)
    return render(
        request,
        "panels/session_summary.html",
        {"panel": panel, "session": session, "form": form},
        status=refused_status(form),
    )


@login_required
@idempotent_form
def survey_edit(request, pk: int):
    """The planner builds the survey (questions), opens and closes it."""
    panel = _planner_panel(request, pk)
    the_survey = survey.survey_of(panel)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey.question_add(
                actor=request.user,
                survey=the_survey,
                kind=data["kind"],
                text=data["text"],
                options=data["option_list"],
                scale_min=data["scale_min"],
                scale_max=data["scale_max"],
                scale_min_label=data["scale_min_label"],
                scale_max_label=data["scale_max_label"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The question is added."))
            return redirect("panels:survey_edit", panel.pk)
    return render(
        request,
        "panels/survey_edit.html",
        {
            "panel": panel,
            "survey": the_survey,
            "questions": the_survey.questions.all(),
            "form": form,
            "answers": the_survey.responses.count(),
        },
        status=refused_status(form) if request.method == "POST" else 200,
    )


@require_POST
@login_required
def survey_state(request, pk: int, action: str):
    """Open or close the survey, or take out a question before it opens."""
    panel = _planner_panel(request, pk)
    if action not in ("open", "close", "remove"):
        raise Http404
    the_survey = survey.survey_of(panel)
    try:
        if action == "open":
            survey.survey_open(actor=request.user, survey=the_survey)
            messages.success(request, _("The survey is open to the members."))
        elif action == "close":
            survey.survey_close(actor=request.user, survey=the_survey)
            messages.success(request, _("The survey is closed; its results are in the case."))
        else:
            question = get_object_or_404(
                Question, pk=request.POST.get("question", "0") or 0, survey=the_survey
            )
            survey.question_remove(actor=request.user, question=question)
            messages.success(request, _("The question is taken out."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("panels:survey_edit", panel.pk)
