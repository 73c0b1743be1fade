"""Pages of budget rounds: a planner opens one on a budget; the round's public page with its
phases and the input per sector; the input form (residents and associations, logged in);
a piece of input's page with its receipt, answers and replies; support; the
administration's answers page (one input or many at once); moderation. Thin: forms,
services (``budgets.rounds``), templates."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.idempotency import idempotent_form
from accounts.limits import check_rate_limits, throttle
from areas.models import Municipality
from budgets import rounds
from budgets.models import (
    Budget,
    BudgetInput,
    BudgetInputStatusChange,
    BudgetRound,
    RoundPhase,
)
from budgets.round_forms import AnswerForm, InputForm, ModerateForm, RoundForm
from core.forms import add_service_errors, refused_status
from priorities import services as loop
from priorities.views import too_many

# Giving input and supporting it count against the limits residents' priorities and supports
# have (the same scopes): a person's input per hour is limited whatever its kind.
INPUT_LIMITS = [throttle("priority_create", "user"), throttle("priority_create", "address")]
SUPPORT_LIMITS = [throttle("support", "user"), throttle("support", "address")]


def _roles(user, municipality_id: int) -> set[str]:
    if not user.is_authenticated:
        return set()
    return {role for role, muni in user._grants() if muni == municipality_id}


def _round(pk: int) -> BudgetRound:
    return get_object_or_404(
        BudgetRound.objects.select_related("budget__case__municipality"), pk=pk
    )


def _input(request, pk: int) -> BudgetInput:
    """The input if this person may see it: public, their own, or they are staff who see
    hidden input in its municipality; else 404."""
    record = get_object_or_404(
        BudgetInput.all_objects.select_related(
            "round__budget__case__municipality", "sector", "line", "area", "municipality"
        ),
        pk=pk,
    )
    mine = request.user.is_authenticated and record.author_id == request.user.pk
    if (
        not record.is_public
        and not mine
        and not _roles(request.user, record.municipality_id) & set(loop.HIDDEN_INPUT_ROLES)
    ):
        raise Http404
    return record


@login_required
@idempotent_form
def round_new(request, budget_pk: int):
    """A planner of the budget's municipality opens a budget round."""
    budget = get_object_or_404(Budget.objects.select_related("case__municipality"), pk=budget_pk)
    loop.staff_role(request.user, budget.case.municipality_id, loop.ANSWER_ROLES)
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            budget_round = rounds.round_open(
                actor=request.user,
                budget=budget,
                title=data["title"],
                description=data["description"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                proposal_on=data["proposal_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The round is open. Those who follow the municipality are told.")
            )
            return redirect(budget_round.get_absolute_url())
    return render(
        request,
        "budgets/round_form.html",
        {"budget": budget, "case": budget.case, "form": form},
        status=refused_status(form) if request.method == "POST" else 200,
    )


def round_detail(request, pk: int):
    """A budget round's public page: what it is for, its phases, and the public input per
    sector with its support and answers."""
    budget_round = _round(pk)
    municipality_id = budget_round.budget.case.municipality_id
    roles = _roles(request.user, municipality_id)
    records = list(
        BudgetInput.public_objects.in_round(budget_round)
        .select_related("sector", "line", "round")
        .prefetch_related(
            Prefetch(
                "status_changes",
                queryset=BudgetInputStatusChange.objects.order_by("created_at", "id"),
                to_attr="answers",
            )
        )
        .order_by("sector__position", "sector__name", "-support_count", "-created_at", "-id")
    )
    sectors: dict[int, dict] = {}
    for record in records:
        sectors.setdefault(record.sector_id, {"sector": record.sector, "items": []})[
            "items"
        ].append(record)
    supported = set()
    if request.user.is_authenticated:
        supported = set(
            request.user.budget_input_supports.filter(input__round=budget_round).values_list(
                "input_id", flat=True
            )
        )
    return render(
        request,
        "budgets/round_detail.html",
        {
            "round": budget_round,
            "budget": budget_round.budget,
            "case": budget_round.budget.case,
            "sectors": list(sectors.values()),
            "count": len(records),
            "supported": supported,
            "is_planner": bool(roles & set(loop.ANSWER_ROLES)),
            "phases": RoundPhase,
        },
    )


def round_list(request, code: str):
    """A municipality's budget rounds, newest first."""
    municipality = get_object_or_404(Municipality, code=code)
    return render(
        request,
        "budgets/round_list.html",
        {
            "municipality": municipality,
            "rounds": BudgetRound.objects.filter(budget__case__municipality=municipality)
            .select_related("budget__case")
            .order_by("-opens_on", "-id"),
        },
    )


@login_required
@idempotent_form
def input_new(request, pk: int):
    """A resident or an association gives input in an open round."""
    budget_round = _round(pk)
    initial = {}
    if request.GET.get("sector", "").isdigit():
        initial["sector"] = budget_round.budget.sectors.filter(pk=request.GET["sector"]).first()
    form = InputForm(request.POST or None, budget_round=budget_round, initial=initial)
    if request.method == "POST" and form.is_valid():
        wait = check_rate_limits(request, INPUT_LIMITS)
        if wait:
            return too_many(request, wait)
        data = form.cleaned_data
        try:
            record = rounds.input_give(
                author=request.user,
                budget_round=budget_round,
                sector=data["sector"],
                line=data["line"],
                proposal=data["proposal"],
                reason=data["reason"],
                amount=data["amount"],
                measure_title=data["measure_title"],
                area=data["area"],
                filed_as=data["filed_as"],
                organisation_name=data["organisation_name"],
                organisation_number=data["organisation_number"],
                members=data["members"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(f"{record.get_absolute_url()}?receipt=1")
    return render(
        request,
        "budgets/input_form.html",
        {"round": budget_round, "budget": budget_round.budget, "form": form},
        status=refused_status(form) if request.method == "POST" else 200,
    )


def input_detail(request, pk: int):
    """A piece of budget input: what it proposes, its receipt (to its author, after giving
    it), its support, what happened to it, and elected members' replies."""
    record = _input(request, pk)
    roles = _roles(request.user, record.municipality_id)
    mine = request.user.is_authenticated and record.author_id == request.user.pk
    supports = request.user.is_authenticated and record.supports.filter(user=request.user).exists()
    return render(
        request,
        "budgets/input_detail.html",
        {
            "record": record,
            "round": record.round,
            "history": record.status_changes.all(),
            "areas": record.areas.select_related("type").defer("geom"),
            "show_receipt": request.GET.get("receipt") == "1" and mine,
            "mine": mine,
            "supports": supports,
            "can_answer": bool(roles & set(loop.ANSWER_ROLES)),
            "can_moderate": bool(roles & set(loop.MODERATOR_ROLES)),
            "moderate_form": ModerateForm(),
        },
    )


@require_POST
def input_support(request, pk: int):
    """Support a piece of public input (once per account)."""
    if not request.user.is_authenticated:
        return redirect(f"{settings.LOGIN_URL}?next={request.path}")
    record = _input(request, pk)
    wait = check_rate_limits(request, SUPPORT_LIMITS)
    if wait:
        return too_many(request, wait)
    try:
        rounds.input_support(record=record, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        response = input_detail(request, pk)
        response.status_code = 400
        return response
    messages.success(request, _("Thank you for your support."))
    return redirect(record.get_absolute_url())


@login_required
@idempotent_form
def round_answers(request, pk: int):
    """The administration's answers: every piece of input in the round (hidden ones too),
    answered one by one or many at once, saying what happened in the proposal."""
    budget_round = _round(pk)
    loop.staff_role(request.user, budget_round.budget.case.municipality_id, loop.ANSWER_ROLES)
    initial = {}
    if request.GET.get("input", "").isdigit():
        initial["records"] = [int(request.GET["input"])]
    form = AnswerForm(request.POST or None, budget_round=budget_round, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rounds.input_answer(
                actor=request.user,
                records=list(data["records"]),
                outcome=data["outcome"],
                public_text=data["public_text"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            count = len(data["records"])
            messages.success(
                request,
                _(
                    "The answer is saved for %(count)s pieces of input, and those who gave them are told."
                )
                % {"count": count},
            )
            return redirect("budgets:round_answers", pk=budget_round.pk)
    records = form.fields["records"].queryset
    return render(
        request,
        "budgets/round_answers.html",
        {
            "round": budget_round,
            "budget": budget_round.budget,
            "form": form,
            "records": records,
            "unanswered": records.filter(first_answered_at__isnull=True).count(),
        },
        status=refused_status(form) if request.method == "POST" else 200,
    )


@require_POST
@login_required
def round_answered(request, pk: int):
    """The administration marks the round answered."""
    budget_round = _round(pk)
    try:
        rounds.round_mark_answered(actor=request.user, budget_round=budget_round)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The round is marked answered."))
    return redirect(budget_round.get_absolute_url())


@require_POST
@login_required
def input_moderate(request, pk: int):
    """A moderator hides input with a reason, or makes it public again."""
    record = _input(request, pk)
    if not _roles(request.user, record.municipality_id) & set(loop.MODERATOR_ROLES):
        raise PermissionDenied(_("Only moderators of this municipality may do this."))
    form = ModerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to hide or to make public."))
        return redirect(record.get_absolute_url())
    try:
        rounds.input_moderate(
            moderator=request.user,
            record=record,
            hide=form.cleaned_data["action"] == "hide",
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The moderation is saved."))
    return redirect(record.get_absolute_url())
