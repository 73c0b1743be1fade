"""Hearing pages: the planner opens one from the case's work page; the hearing's public page
with its documents, the case's map layers, the published answers and the answer form; an
answer's page with its receipt and what happened to it; moderation; the summary by theme.
Thin: forms, services, templates."""

from __future__ import annotations

from html import escape

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.idempotency import idempotent_form
from accounts.limits import check_rate_limits, throttle
from accounts.models import Role
from cases.layers import case_layers
from cases.models import Case
from core.forms import add_service_errors, refused_status
from hearings import services
from hearings.forms import AnswerForm, HearingForm, ModerateForm, ThemeForm, UnconfirmedAnswerForm
from hearings.links import ANSWER_LINK_DAYS
from hearings.models import (
    Audience,
    Hearing,
    HearingAnswer,
    HearingAnswerAttachment,
    HearingDocument,
    HearingTheme,
)
from hearings.summaries import hearing_counts, hearing_themes
from priorities import services as loop
from priorities.forms import StatusForm
from priorities.views import too_many

ANSWERS_PER_PAGE = 25
# Answers sent without an account, per client address (each sends an e-mail).
ANSWER_LIMITS = [throttle("hearing_answer", "address")]


def _roles(user, municipality_id: int) -> set[str]:
    if not user.is_authenticated:
        return set()
    return {role for role, muni in user._grants() if muni == municipality_id}


def _hearing(pk: int) -> Hearing:
    return get_object_or_404(Hearing.objects.select_related("case__municipality"), pk=pk)


@login_required
@idempotent_form
def hearing_new(request, case_pk: int):
    """A planner opens a hearing on a case (from the case's work page)."""
    case = get_object_or_404(Case.objects.select_related("municipality"), pk=case_pk)
    loop.staff_role(request.user, case.municipality_id, loop.ANSWER_ROLES)
    form = HearingForm(
        request.POST or None,
        request.FILES or None,
        case=case,
        initial={
            "title": case.title,
            "decision": case.summary,
            "audience": request.GET.get("audience") or Audience.EVERYONE,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            hearing = services.hearing_open(
                actor=request.user,
                case=case,
                title=data["title"],
                decision=data["decision"],
                questions=data["questions"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                audience=data["audience"],
                publication=data["publication"],
                invited_councils=list(data["invited_councils"]),
                invited_emails=data["invited_emails"],
                documents=data["documents"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The hearing is open."))
            return redirect(hearing)
    status = refused_status(form) if request.method == "POST" else 200
    return render(
        request, "hearings/hearing_form.html", {"case": case, "form": form}, status=status
    )


@login_required
def consultation_new(request, case_pk: int):
    """The old address of "ask councils for a statement": such requests are hearings that
    invite councils now, opened on the hearing form."""
    case = get_object_or_404(Case, pk=case_pk)
    loop.staff_role(request.user, case.municipality_id, loop.ANSWER_ROLES)
    return redirect(f"{reverse('hearings:new', args=[case.pk])}?audience={Audience.INVITED}")


def hearing_detail(request, pk: int):
    """A hearing's public page: what it is about, its documents, the case's map layers, the
    newest published answers and the answer form."""
    hearing = _hearing(pk)
    roles = _roles(request.user, hearing.case.municipality_id)
    answers = (
        HearingAnswer.public_objects.filter(hearing=hearing)
        .select_related("council", "hearing")
        .newest_first()
    )
    context = {
        "hearing": hearing,
        "case": hearing.case,
        "documents": hearing.documents.all(),
        "invited_councils": hearing.invited_councils.all(),
        "layers": case_layers(hearing.case),
        "answers": answers[:ANSWERS_PER_PAGE],
        "answer_count": answers.count(),
        "pending": HearingAnswer.all_objects.filter(hearing=hearing).pending().count()
        if roles & set(loop.MODERATOR_ROLES)
        else None,
        "themes": hearing.themes.all(),
        # A hearing made from a request for statements lists what the councils filed on it.
        "statements": hearing.consultation.statements.select_related("council").prefetch_related(
            "case_links"
        )
        if hearing.consultation_id
        else [],
        "form": AnswerForm(hearing=hearing, user=request.user)
        if request.user.is_authenticated
        else UnconfirmedAnswerForm(hearing=hearing),
        "is_planner": bool(roles & set(loop.ANSWER_ROLES)),
    }
    return render(request, "hearings/hearing_detail.html", context)


@idempotent_form
def hearing_answer(request, pk: int):
    """Answer a hearing (the form is on the hearing's page too; errors are shown here).
    Someone not logged in answers a hearing open to everyone with an e-mail address to
    confirm (``_answer_unconfirmed``)."""
    hearing = _hearing(pk)
    if not request.user.is_authenticated:
        return _answer_unconfirmed(request, hearing)
    form = AnswerForm(
        request.POST or None, request.FILES or None, hearing=hearing, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            answer = services.answer_submit(
                author=request.user,
                hearing=hearing,
                text=data["text"],
                respondent=data["respondent"],
                signed_name=data["signed_name"],
                name_withheld=data["name_withheld"],
                organisation_name=data["organisation_name"],
                organisation_number=data["organisation_number"],
                contact_person=data["contact_person"],
                council=data["council"],
                geometry=data["geom"],
                areas=list(data["areas"]) or None,
                attachments=data["attachments"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(f"{answer.get_absolute_url()}?receipt=1")
    status = refused_status(form) if request.method == "POST" else 200
    return render(
        request,
        "hearings/answer_form.html",
        {"hearing": hearing, "case": hearing.case, "form": form},
        status=status,
    )


def _answer_unconfirmed(request, hearing: Hearing):
    """The answer of someone not logged in: kept, and a link to confirm it e-mailed to the
    address given (limited per client address); an invited-only hearing asks them to log
    in."""
    if hearing.audience != Audience.EVERYONE:
        return redirect_to_login(request.get_full_path())
    form = UnconfirmedAnswerForm(request.POST or None, request.FILES or None, hearing=hearing)
    if request.method == "POST":
        wait = check_rate_limits(request, ANSWER_LIMITS)
        if wait:
            return too_many(request, wait)
        if form.is_valid():
            data = form.cleaned_data
            try:
                unconfirmed = services.unconfirmed_answer_submit(
                    hearing=hearing,
                    email=data["email"],
                    language=translation.get_language() or settings.LANGUAGE_CODE,
                    text=data["text"],
                    signed_name=data["signed_name"],
                    name_withheld=data["name_withheld"],
                    geometry=data["geom"],
                    areas=list(data["areas"]) or None,
                    attachments=data["attachments"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return render(
                    request,
                    "hearings/answer_sent.html",
                    {"hearing": hearing, "email": unconfirmed.email, "days": ANSWER_LINK_DAYS},
                )
    status = refused_status(form) if request.method == "POST" else 200
    return render(
        request,
        "hearings/answer_form.html",
        {"hearing": hearing, "case": hearing.case, "form": form},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def answer_confirm(request, pk: int, token: str):
    """The signed link e-mailed with an answer sent without an account: a GET shows a
    button and changes nothing (a mail scanner that opens links does not confirm); the
    POST confirms, and the page shows the receipt. Confirming again shows it again."""
    hearing = _hearing(pk)
    error = None
    answer = None
    try:
        if request.method == "POST":
            answer = services.unconfirmed_answer_confirm(hearing=hearing, token=token)
        else:
            answer = services.unconfirmed_answer_check(hearing=hearing, token=token).answer
    except ValidationError as exc:
        error = " ".join(exc.messages)
    return render(
        request,
        "hearings/answer_confirm.html",
        {"hearing": hearing, "error": error, "answer": answer},
        status=400 if error else 200,
    )


def hearing_answers(request, pk: int):
    """Every published answer to a hearing, newest first, a page at a time."""
    hearing = _hearing(pk)
    answers = (
        HearingAnswer.public_objects.filter(hearing=hearing)
        .select_related("council", "hearing")
        .prefetch_related("case_links")
        .newest_first()
    )
    page = Paginator(answers, ANSWERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "hearings/answers.html", {"hearing": hearing, "page": page})


def hearing_summary(request, pk: int, *, forms: dict | None = None, status: int = 200):
    """The planner's summary of a hearing by theme, with the answers each theme covers and
    the counts; planners add and change themes here."""
    hearing = _hearing(pk)
    is_planner = bool(_roles(request.user, hearing.case.municipality_id) & set(loop.ANSWER_ROLES))
    forms = forms or {}
    # A theme may cover thousands of answers: their links are written here in one pass
    # (as core.forms.LongSelect writes its options), not by a template loop per answer.
    answer_url = escape(reverse("hearings:answer_detail", args=[0]).removesuffix("0/"))
    themes = hearing_themes([hearing.pk]).get(hearing.pk, [])
    for theme in themes:
        theme["links"] = mark_safe(  # noqa: S308 - every part is escaped or an integer
            ", ".join(
                f'<a href="{answer_url}{int(answer_id)}/">{escape(reference)}</a>'
                for answer_id, reference in theme["answers"]
            )
        )
        theme["summary_id"] = f"theme-errors-{theme['id']}"
        if is_planner:
            theme["form"] = forms.get(theme["id"]) or ThemeForm(
                hearing=hearing,
                prefix=f"theme-{theme['id']}",
                initial={
                    "title": theme["title"],
                    "text": theme["text"],
                    "position": theme["position"],
                    "references": ", ".join(reference for _id, reference in theme["answers"]),
                },
            )
    return render(
        request,
        "hearings/summary.html",
        {
            "hearing": hearing,
            "themes": themes,
            "counts": hearing_counts([hearing.pk]).get(hearing.pk),
            "is_planner": is_planner,
            "new_form": (forms.get("new") or ThemeForm(hearing=hearing, prefix="new"))
            if is_planner
            else None,
        },
        status=status,
    )


@login_required
@require_POST
def theme_save(request, pk: int):
    """A planner adds a theme (``theme`` empty) or changes one."""
    hearing = _hearing(pk)
    loop.staff_role(request.user, hearing.case.municipality_id, loop.ANSWER_ROLES)
    theme = None
    if request.POST.get("theme", "").isdigit():
        theme = get_object_or_404(HearingTheme, pk=request.POST["theme"], hearing=hearing)
    key = theme.pk if theme else "new"
    form = ThemeForm(request.POST, hearing=hearing, prefix=f"theme-{theme.pk}" if theme else "new")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.theme_save(
                actor=request.user,
                hearing=hearing,
                theme=theme,
                title=data["title"],
                text=data["text"],
                references=data["reference_list"],
                position=data["position"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The summary is saved."))
            return redirect("hearings:summary", pk=hearing.pk)
    return hearing_summary(request, hearing.pk, forms={key: form}, status=refused_status(form))


def answer_detail(request, pk: int):
    """An answer's page: the answer, its receipt (to its author, after answering), and what
    happened to it. Not yet published or hidden: only its author and the staff see it."""
    answer = get_object_or_404(
        HearingAnswer.all_objects.select_related(
            "hearing__case", "council", "municipality"
        ).with_api_geometry(),
        pk=pk,
    )
    user = request.user
    roles = _roles(user, answer.municipality_id)
    mine = user.is_authenticated and answer.author_id == user.pk
    if not answer.is_public and not mine and not roles & set(loop.HIDDEN_INPUT_ROLES):
        raise PermissionDenied(_("This answer is not public."))
    return render(
        request,
        "hearings/answer_detail.html",
        {
            "answer": answer,
            "hearing": answer.hearing,
            "history": answer.status_changes.all(),
            "attachments": answer.attachments.all(),
            "areas": answer.areas.select_related("type").defer("geom"),
            "show_receipt": request.GET.get("receipt") == "1" and mine,
            "can_answer": bool(roles & {Role.PLANNER, Role.ADMINISTRATOR}),
            "can_moderate": bool(roles & set(loop.MODERATOR_ROLES)),
            "status_form": StatusForm(),
            "moderate_form": ModerateForm(),
        },
    )


@require_POST
@login_required
def answer_status(request, pk: int):
    """A planner answers a hearing answer: the feedback loop, as for every kind of input."""
    answer = get_object_or_404(HearingAnswer.all_objects, pk=pk)
    loop.staff_role(request.user, answer.municipality_id, loop.ANSWER_ROLES)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(answer.get_absolute_url())
    loop.input_set_status(records=[answer], actor=request.user, **form.cleaned_data)
    messages.success(request, _("The answer is saved and the author will be told."))
    return redirect(answer.get_absolute_url())


@require_POST
@login_required
def answer_moderate(request, pk: int):
    """A moderator publishes a hearing answer or hides it with a reason."""
    answer = get_object_or_404(HearingAnswer.all_objects, pk=pk)
    loop.staff_role(request.user, answer.municipality_id, loop.MODERATOR_ROLES)
    form = ModerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to publish or to hide."))
        return redirect(answer.get_absolute_url())
    try:
        services.answer_moderate(
            moderator=request.user,
            answer=answer,
            publish=form.cleaned_data["action"] == "publish",
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The moderation is saved."))
    return redirect(answer.get_absolute_url())


def _pdf(row) -> FileResponse:
    # A download, never shown inline (see councils.views.attachment_download).
    return FileResponse(
        row.file.open("rb"), as_attachment=True, filename=row.name, content_type="application/pdf"
    )


def document_download(request, pk: int):
    return _pdf(get_object_or_404(HearingDocument, pk=pk))


def attachment_download(request, pk: int):
    """An answer's attachment: public with the answer, else to its author and the staff."""
    attachment = get_object_or_404(HearingAnswerAttachment.objects.select_related("answer"), pk=pk)
    answer = attachment.answer
    user = request.user
    if (
        not answer.is_public
        and not (user.is_authenticated and answer.author_id == user.pk)
        and not _roles(user, answer.municipality_id) & set(loop.HIDDEN_INPUT_ROLES)
    ):
        raise PermissionDenied(_("This answer is not public."))
    return _pdf(attachment)
