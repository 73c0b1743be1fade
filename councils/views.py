"""Pages for local councils: their public page, filing submissions, consultations."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.idempotency import idempotent_form
from accounts.models import Role
from areas.models import AreaType, Municipality
from cases.models import Case
from core.forms import add_service_errors, refused_status
from councils import coverage
from councils import services as council_services
from councils.forms import SubmissionForm, WithdrawForm
from councils.models import (
    Consultation,
    Council,
    Submission,
    SubmissionAttachment,
    SubmissionTemplate,
)
from priorities import services
from priorities.forms import StatusForm


def council_list(request):
    councils = Council.objects.select_related("kind", "municipality").order_by(
        "municipality__code", "name"
    )
    return render(request, "councils/list.html", {"councils": councils})


def council_detail(request, pk: int):
    """A council's public page: its submissions and status, annual reports by year, requests."""
    council = get_object_or_404(Council.objects.select_related("kind", "municipality"), pk=pk)
    submissions = council.submissions.exclude(kind="annual_report").prefetch_related("case_links")
    reports = council.submissions.annual_reports().order_by("-year", "-created_at")
    by_year = [(year, list(items)) for year, items in groupby(reports, key=lambda s: s.year)]
    consultations = council.consultations.select_related("case").prefetch_related("statements")
    requests = []
    for consultation in consultations:
        answered = [s for s in consultation.statements.all() if s.council_id == council.pk]
        requests.append(
            {
                "consultation": consultation,
                "statements": answered,
                "overdue": consultation.is_past_deadline and not answered,
            }
        )
    return render(
        request,
        "councils/detail.html",
        {
            "council": council,
            "submissions": submissions,
            "annual_reports": by_year,
            "requests": requests,
            "is_secretary": council.has_secretary(request.user),
            "areas": council.areas.select_related("type").defer("geom"),
        },
    )


@login_required
@idempotent_form
def submission_new(request, pk: int):
    """A secretary files a submission for their council."""
    council = get_object_or_404(Council.objects.select_related("municipality"), pk=pk)
    council_services.council_secretary_check(request.user, council)
    initial = {}
    template = None
    if request.GET.get("template", "").isdigit():
        template = SubmissionTemplate.objects.filter(
            pk=request.GET["template"], municipality=council.municipality
        ).first()
        if template:
            initial["text"] = template.as_text()
    if request.GET.get("consultation", "").isdigit():
        initial["consultation"] = request.GET["consultation"]
        initial["kind"] = "statement"
    form = SubmissionForm(
        request.POST or None, request.FILES or None, council=council, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            submission = council_services.submission_file(
                secretary=request.user,
                council=council,
                kind=data["kind"],
                title=data["title"],
                text=data["text"],
                meeting_date=data["meeting_date"],
                minutes_reference=data["minutes_reference"],
                year=data["year"],
                geometry=data["geom"],
                areas=list(data["areas"]) or None,
                case=data["case"],
                consultation=data["consultation"],
                attachments=data["attachments"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(f"{submission.get_absolute_url()}?receipt=1")
    status = 200
    if request.method == "POST":
        status = refused_status(form)
    return render(
        request,
        "councils/submission_form.html",
        {
            "council": council,
            "form": form,
            "templates": SubmissionTemplate.objects.filter(municipality=council.municipality),
        },
        status=status,
    )


def submission_detail(request, pk: int):
    submission = get_object_or_404(
        Submission.objects.select_related("council", "municipality", "consultation")
        .prefetch_related("case_links")
        .with_api_geometry(),
        pk=pk,
    )
    user = request.user
    roles = (
        {role for role, muni in user._grants() if muni == submission.municipality_id}
        if user.is_authenticated
        else set()
    )
    return render(
        request,
        "councils/submission_detail.html",
        {
            "submission": submission,
            "cases": Case.objects.filter(
                municipality=submission.municipality_id,
                number__in=[link.case_number for link in submission.case_links.all()],
            ),
            "history": submission.status_changes.all(),
            "attachments": submission.attachments.all(),
            "areas": submission.areas.select_related("type").defer("geom"),
            "is_secretary": submission.council.has_secretary(user),
            "can_answer": bool(roles & {Role.PLANNER, Role.ADMINISTRATOR}),
            "show_receipt": request.GET.get("receipt") == "1"
            and user.is_authenticated
            and submission.author_id == user.pk,
            "status_form": StatusForm(),
            "withdraw_form": WithdrawForm(),
        },
    )


@require_POST
@login_required
def submission_answer(request, pk: int):
    submission = get_object_or_404(Submission, pk=pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(submission.get_absolute_url())
    services.input_set_status(records=[submission], actor=request.user, **form.cleaned_data)
    messages.success(request, _("The answer is saved and the council will be told."))
    return redirect(submission.get_absolute_url())


@require_POST
@login_required
def submission_withdraw(request, pk: int):
    submission = get_object_or_404(Submission, pk=pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for withdrawing."))
        return redirect(submission.get_absolute_url())
    try:
        council_services.submission_withdraw(
            secretary=request.user, submission=submission, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The submission is withdrawn. It stays on the record."))
    return redirect(submission.get_absolute_url())


def attachment_download(request, pk: int):
    attachment = get_object_or_404(SubmissionAttachment, pk=pk)
    # A download, never shown inline; with nosniff (SECURE_CONTENT_TYPE_NOSNIFF) the
    # browser does not guess another type from the content either.
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type="application/pdf",
    )


def consultation_detail(request, pk: int):
    consultation = get_object_or_404(Consultation.objects.select_related("case"), pk=pk)
    statements = consultation.statements.select_related("council")
    answered = {s.council_id for s in statements}
    councils = [
        {
            "council": c,
            "answered": c.pk in answered,
            "overdue": consultation.is_past_deadline and c.pk not in answered,
            "is_secretary": c.has_secretary(request.user),
        }
        for c in consultation.councils.all()
    ]
    return render(
        request,
        "councils/consultation_detail.html",
        {"consultation": consultation, "statements": statements, "councils": councils},
    )


def council_coverage(request, code: str):
    """Which areas of a chosen type have a local council, of which kind, and when each last
    filed a statement and an annual report (public: where the gaps are)."""
    municipality = get_object_or_404(Municipality, code=code)
    types = list(AreaType.objects.filter(pk__in=coverage.area_types_of(municipality)))
    if not types:
        raise Http404
    slug = request.GET.get("type") or types[0].slug
    chosen = next((area_type for area_type in types if area_type.slug == slug), None)
    if chosen is None:
        return render(
            request,
            "councils/coverage.html",
            {
                "municipality": municipality,
                "types": types,
                "chosen": None,
                "error": _("Choose one of the area types in the list."),
            },
            status=400,
        )
    rows = coverage.coverage(municipality, chosen)
    covered = sum(1 for row in rows if row.councils)
    return render(
        request,
        "councils/coverage.html",
        {
            "municipality": municipality,
            "types": types,
            "chosen": chosen,
            "rows": rows,
            "covered": covered,
            "whole": coverage.whole_municipality(municipality),
        },
    )
