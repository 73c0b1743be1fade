"""What the budgets app plugs in when it is ready: budget input as a kind of input (the loop,
the case link, the digest, elected members' replies), the budget rounds' section of the
budget case's digest (per sector: the input, its support and the answers), and what
closing an account does with its relations. Imported by ``BudgetsConfig.ready``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts import privacy
from budgets.models import (
    BudgetInput,
    BudgetInputCaseLink,
    BudgetInputReply,
    BudgetInputStatusChange,
    BudgetRound,
    Filer,
    InputVisibility,
    Outcome,
    Proposal,
)
from cases import sections
from priorities import kinds
from priorities.models import Status


def source(record: BudgetInput) -> str:
    """Who gave the input, as the record shows it publicly."""
    if record.filed_as == Filer.ASSOCIATION:
        return str(
            _("%(name)s (association, %(members)s members)")
            % {"name": record.organisation_name, "members": record.members}
        )
    return str(_("a resident"))


def digest_row(record: BudgetInput) -> dict:
    """Budget input as a row of a digest."""
    return {
        "id": record.pk,
        "reference": record.reference,
        "title": record.title,
        "source": source(record),
        "sector": record.sector.name,
        "support": record.support_count,
        "status": record.status,
        "status_label": str(Status(record.status).label),
        "created": record.created_at.date().isoformat(),
        "url": record.get_absolute_url(),
    }


def _amount(value) -> str | None:
    """An amount as a machine reads it (a point, no grouping), or None."""
    return None if value is None else f"{value:.2f}"


def budget_round_section(case) -> dict | None:
    """The budget rounds on the case's budgets, for its digest: per round and per sector,
    the public input (most supported first) with its support, what it proposes, the
    outcome in the proposal and the administration's latest public answer. None when the
    case has no round. A constant number of queries whatever the amount of input."""
    rounds = list(
        BudgetRound.objects.filter(budget__case=case)
        .select_related("budget")
        .order_by("opens_on", "id")
    )
    if not rounds:
        return None
    records = list(
        BudgetInput.all_objects.filter(round__in=rounds, visibility=InputVisibility.PUBLIC)
        .select_related("sector", "line")
        .order_by("sector__position", "sector__name", "-support_count", "created_at", "id")
    )
    answers: dict[int, str] = {}
    for record_id, text in (
        BudgetInputStatusChange.objects.filter(record__in=records)
        .order_by("record_id", "created_at", "id")
        .values_list("record_id", "public_text")
    ):
        answers[record_id] = text  # the latest wins
    by_round: dict[int, dict[str, dict]] = {budget_round.pk: {} for budget_round in rounds}
    for record in records:
        sectors = by_round[record.round_id]
        sector = sectors.setdefault(
            record.sector.name, {"name": record.sector.name, "support": 0, "inputs": []}
        )
        sector["support"] += record.support_count
        sector["inputs"].append(
            {
                "reference": record.reference,
                "title": record.title,
                "proposal": record.proposal,
                "proposal_label": str(Proposal(record.proposal).label),
                "line": record.line.name if record.line_id else "",
                "amount": _amount(record.amount),
                "reason": record.reason,
                "source": source(record),
                "support": record.support_count,
                "status": record.status,
                "status_label": str(Status(record.status).label),
                "outcome": record.outcome,
                "outcome_label": str(Outcome(record.outcome).label) if record.outcome else "",
                "answer": answers.get(record.pk, ""),
                "url": record.get_absolute_url(),
            }
        )
    return {
        "rounds": [
            {
                "id": budget_round.pk,
                "title": budget_round.title,
                "budget": budget_round.budget.title,
                "illustrative": budget_round.budget.illustrative,
                "opens_on": budget_round.opens_on.isoformat(),
                "closes_on": budget_round.closes_on.isoformat(),
                "phase": budget_round.phase,
                "phase_label": str(budget_round.phase_label),
                "url": budget_round.get_absolute_url(),
                "inputs": sum(len(s["inputs"]) for s in by_round[budget_round.pk].values()),
                "answered": sum(
                    1
                    for s in by_round[budget_round.pk].values()
                    for item in s["inputs"]
                    if item["outcome"]
                ),
                "sectors": list(by_round[budget_round.pk].values()),
            }
            for budget_round in rounds
        ]
    }


BUDGET_INPUT = kinds.register(
    kinds.InputKind(
        key="budget_input",
        model=BudgetInput,
        status_changes=BudgetInputStatusChange,
        case_links=BudgetInputCaseLink,
        label=_("budget input"),
        label_plural=_("budget input"),
        yours=_("your budget input"),
        public=lambda queryset: queryset.filter(visibility=InputVisibility.PUBLIC),
        select=("municipality", "author", "sector", "line", "round"),
        digest_row=digest_row,
        list_template="budgets/_input_list.html",
        replies=BudgetInputReply,
    )
)

sections.register(
    sections.DigestSection(
        key="budget_rounds",
        build=budget_round_section,
        template="budgets/_digest_section.html",
        tracked=(BudgetRound, BudgetInput, BudgetInputStatusChange),
    )
)

privacy.register_close_policy(
    {
        "budgets.Budget.created_by": privacy.KEEP,  # public administration
        "budgets.BudgetVersion.imported_by": privacy.KEEP,
        "budgets.BudgetRound.created_by": privacy.KEEP,
        "budgets.BudgetInput.author": privacy.DETACH,  # the input stays, as a record
        "budgets.BudgetInputStatusChange.actor": privacy.KEEP,
        "budgets.BudgetInputCaseLink.linked_by": privacy.KEEP,
        "budgets.BudgetInputReply.author": privacy.DETACH,
        # A support is a personal choice, not a record.
        "budgets.BudgetInputSupport.user": privacy.DELETE,
    }
)
