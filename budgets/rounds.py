"""Writes of budget rounds: a planner opens a round, residents and associations give input
and support it, the administration answers it (one input or many at once, through the one
feedback loop) and marks the round answered; moderators hide input with a reason.

Each write is a transaction that also queues its e-mails (receipts, answers,
announcements), so a refused or rolled-back write sends nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.models import Area
from budgets.models import (
    MAX_INPUT_AMOUNT,
    MAX_MEMBERS,
    Budget,
    BudgetInput,
    BudgetInputSupport,
    BudgetLine,
    BudgetRound,
    Filer,
    InputVisibility,
    Outcome,
    Proposal,
    RoundPhase,
    Sector,
)
from councils.models import validate_organisation_number
from follows.models import Topic
from follows.services import announce
from priorities import tasks as receipts
from priorities.models import Status
from priorities.services import (
    ANSWER_ROLES,
    MODERATOR_ROLES,
    input_link_to_case,
    input_set_status,
    next_reference,
    staff_role,
)

INPUT_PREFIX = "BI"

# What each outcome is in the feedback loop: input that went into the proposal is
# "included in a case" (the budget case), the rest "not pursued".
OUTCOME_STATUS = {
    Outcome.INCLUDED: Status.IN_CASE,
    Outcome.PARTLY: Status.IN_CASE,
    Outcome.NOT_INCLUDED: Status.NOT_PURSUED,
}


def round_errors(
    *, opens_on: date | None, closes_on: date | None, proposal_on: date | None
) -> dict[str, list[str]]:
    """What makes a round's dates impossible (the input must close on or after it opens)."""
    errors: dict[str, list[str]] = {}
    if opens_on and closes_on and closes_on < opens_on:
        errors["closes_on"] = [_("The input must close on or after the day it opens.")]
    return errors


def round_warnings(
    *, opens_on: date | None, closes_on: date | None, proposal_on: date | None
) -> list[str]:
    """What a planner should think twice about: input that stays open after the
    administration's proposal is presented comes too late to change it."""
    warnings = []
    if proposal_on and closes_on and closes_on >= proposal_on:
        warnings.append(
            _(
                "The input closes on or after the day the administration's proposal is "
                "presented (%(date)s): input that comes after the proposal can hardly change "
                "it. Close the input earlier, or confirm these dates."
            )
            % {"date": proposal_on.isoformat()}
        )
    return warnings


@transaction.atomic
def round_open(
    *,
    actor,
    budget: Budget,
    title: str,
    description: str,
    opens_on: date,
    closes_on: date,
    proposal_on: date | None = None,
) -> BudgetRound:
    """A planner of the budget's municipality opens a round of input on the budget; the
    people following the municipality are told (once)."""
    case = budget.case
    staff_role(actor, case.municipality_id, ANSWER_ROLES)
    errors = round_errors(opens_on=opens_on, closes_on=closes_on, proposal_on=proposal_on)
    if errors:
        raise ValidationError(errors)
    budget_round = BudgetRound(
        budget=budget,
        title=(title or "").strip(),
        description=(description or "").strip(),
        opens_on=opens_on,
        closes_on=closes_on,
        proposal_on=proposal_on,
        created_by=actor,
    )
    budget_round.full_clean()
    budget_round.save()
    # A round is an invitation to give input, like a hearing: it reaches those who follow
    # new hearings in the whole municipality.
    announce(
        key=f"budget_round:{budget_round.pk}:opened",
        municipality=case.municipality,
        areas=[],
        topic=Topic.HEARING,
        title=budget_round.title,
        url=budget_round.get_absolute_url(),
        summary=budget_round.description,
    )
    return budget_round


@transaction.atomic
def round_mark_answered(*, actor, budget_round: BudgetRound) -> None:
    """The administration says it has answered the round's input (once the input has
    closed): the round's phase becomes "answered"."""
    staff_role(actor, budget_round.budget.case.municipality_id, ANSWER_ROLES)
    if budget_round.phase == RoundPhase.ANSWERED:
        raise ValidationError(_("This round is already marked answered."))
    if budget_round.phase != RoundPhase.CONSIDERING:
        raise ValidationError(_("A round can be marked answered once its input has closed."))
    budget_round.answered_at = timezone.now()
    BudgetRound.objects.filter(pk=budget_round.pk).update(answered_at=budget_round.answered_at)


def input_errors(
    *,
    budget_round: BudgetRound,
    sector: Sector | None,
    line: BudgetLine | None,
    proposal: str,
    amount: Decimal | None,
    measure_title: str,
    area: Area | None,
    filed_as: str,
    organisation_name: str,
    organisation_number: str,
    members: int | None,
) -> dict[str, list[str]]:
    """What is wrong with a piece of budget input, by field (the form shows the same
    messages before the service refuses)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not budget_round.is_open:
        add(
            "__all__",
            _("This round is not open for input: it is open from %(opens)s to %(closes)s.")
            % {
                "opens": budget_round.opens_on.isoformat(),
                "closes": budget_round.closes_on.isoformat(),
            },
        )
    budget_id = budget_round.budget_id
    if sector is None:
        add("sector", _("Choose the sector your input is about."))
    elif sector.budget_id != budget_id:
        add("sector", _("This sector is not in this budget."))
    if line is not None:
        if line.version.budget_id != budget_id:
            add("line", _("This line is not in this budget."))
        elif sector is not None and line.sector_id != sector.pk:
            add("line", _("This line is not in the sector you chose."))
    if proposal not in Proposal.values:
        add("proposal", _("Choose what you propose."))
    if proposal == Proposal.NEW_MEASURE and not (measure_title or "").strip():
        add("measure_title", _("Give the new measure a title."))
    if amount is not None and proposal == Proposal.COMMENT:
        add("amount", _("A comment has no amount: choose more, less or a new measure."))
    if amount is not None and not (Decimal("0.01") <= amount <= MAX_INPUT_AMOUNT):
        add("amount", _("Write an amount in kroner above 0 and under a trillion."))
    if area is not None and area.municipality_id != budget_round.budget.case.municipality_id:
        add("area", _("This area is not in the budget's municipality."))
    if filed_as == Filer.ASSOCIATION:
        if not (organisation_name or "").strip():
            add("organisation_name", _("Write the association's name."))
        number = (organisation_number or "").replace(" ", "")
        if not number:
            add("organisation_number", _("Write the association's organisation number."))
        else:
            try:
                validate_organisation_number(number)
            except ValidationError as exc:
                for message in exc.messages:
                    add("organisation_number", message)
        if members is None:
            add("members", _("Write how many members the association has."))
        elif not 1 <= members <= MAX_MEMBERS:
            add(
                "members",
                _("Write the number of members: at least 1 and at most %(max)s.")
                % {"max": f"{MAX_MEMBERS:,}".replace(",", " ")},
            )
    elif filed_as != Filer.RESIDENT:
        add("filed_as", _("Choose whether you give input as a resident or an association."))
    return errors


@transaction.atomic
def input_give(
    *,
    author,
    budget_round: BudgetRound,
    sector: Sector | None,
    proposal: str,
    reason: str,
    line: BudgetLine | None = None,
    amount: Decimal | None = None,
    measure_title: str = "",
    area: Area | None = None,
    filed_as: str = Filer.RESIDENT,
    organisation_name: str = "",
    organisation_number: str = "",
    members: int | None = None,
) -> BudgetInput:
    """A resident (logged in) or an association gives input in an open round: on the
    record with a receipt number, public at once (moderators may hide it), linked to the
    budget's case, in the areas of its line or measure, and its receipt e-mailed."""
    if author is None or not author.is_authenticated:
        raise PermissionDenied(_("Log in to give input."))
    # The round's row is locked so that input cannot slip in while it is being closed.
    budget_round = (
        BudgetRound.objects.select_for_update()
        .select_related("budget__case")
        .get(pk=budget_round.pk)
    )
    errors = input_errors(
        budget_round=budget_round,
        sector=sector,
        line=line,
        proposal=proposal,
        amount=amount,
        measure_title=measure_title,
        area=area,
        filed_as=filed_as,
        organisation_name=organisation_name,
        organisation_number=organisation_number,
        members=members,
    )
    if errors:
        raise ValidationError(errors)
    association = filed_as == Filer.ASSOCIATION
    case = budget_round.budget.case
    record = BudgetInput(
        reference=next_reference(INPUT_PREFIX),
        municipality_id=case.municipality_id,
        author=author,
        round=budget_round,
        sector=sector,
        line=line,
        proposal=proposal,
        reason=(reason or "").strip(),
        amount=amount if proposal != Proposal.COMMENT else None,
        measure_title=(measure_title or "").strip() if proposal == Proposal.NEW_MEASURE else "",
        area=area,
        filed_as=filed_as,
        organisation_name=(organisation_name or "").strip() if association else "",
        organisation_number=(organisation_number or "").replace(" ", "") if association else "",
        members=members if association else None,
    )
    record.full_clean(exclude=["areas"])
    record.save()
    areas = [area.pk] if area else []
    if line is not None and line.area_id and line.area_id not in areas:
        areas.append(line.area_id)
    record.areas.set(areas)
    input_link_to_case([record], case.number, author)
    receipts.send_receipt.defer(kind="budget_input", record_id=record.pk)
    return record


@transaction.atomic
def input_support(*, record: BudgetInput, user) -> None:
    """An account supports a piece of public input, once; not its own, and not after the
    round is answered."""
    if not record.is_public:
        raise ValidationError(_("This input is not public."))
    if record.author_id == user.pk:
        raise ValidationError(_("You gave this input yourself."))
    if record.round.phase == RoundPhase.ANSWERED:
        raise ValidationError(_("This round is answered: input can no longer be supported."))
    try:
        with transaction.atomic():
            BudgetInputSupport.objects.create(input=record, user=user)
    except IntegrityError as exc:
        raise ValidationError(_("You already support this input.")) from exc
    BudgetInput.all_objects.filter(pk=record.pk).update(support_count=F("support_count") + 1)
    record.support_count += 1


@transaction.atomic
def input_answer(*, actor, records: Sequence[BudgetInput], outcome: str, public_text: str) -> list:
    """The administration answers budget input, one or many at once, saying what happened
    to it in the proposal: the outcome on each record, and the one feedback loop's answer
    (status, public text, e-mails to the authors and supporters in their languages)."""
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose what happened in the proposal.")})
    if not records:
        raise ValidationError({"records": _("Choose at least one piece of input.")})
    for record in records:
        staff_role(actor, record.municipality_id, ANSWER_ROLES)
    case_numbers = {record.round.budget.case.number for record in records}
    changes = input_set_status(
        records=records,
        status=OUTCOME_STATUS[Outcome(outcome)],
        public_text=public_text,
        actor=actor,
        # Input that went into the proposal names the budget case (it is linked already).
        case_number=case_numbers.pop()
        if len(case_numbers) == 1 and outcome != Outcome.NOT_INCLUDED
        else "",
    )
    BudgetInput.all_objects.filter(pk__in=[record.pk for record in records]).update(outcome=outcome)
    for record in records:
        record.outcome = outcome
    return changes


@transaction.atomic
def input_moderate(*, moderator, record: BudgetInput, hide: bool, reason: str = "") -> None:
    """A moderator hides input with a reason (shown in its place), or makes it public."""
    staff_role(moderator, record.municipality_id, MODERATOR_ROLES)
    reason = (reason or "").strip()
    if hide and not reason:
        raise ValidationError({"reason": _("Say why the input is hidden.")})
    record.visibility = InputVisibility.HIDDEN if hide else InputVisibility.PUBLIC
    record.hidden_reason = reason if hide else ""
    BudgetInput.all_objects.filter(pk=record.pk).update(
        visibility=record.visibility, hidden_reason=record.hidden_reason
    )
