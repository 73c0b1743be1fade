"""Forms of budget rounds: a planner opens a round; a resident or an association gives input;
the administration answers input, one or many at once."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from budgets import rounds
from budgets.models import (
    MAX_INPUT_AMOUNT,
    MAX_MEMBERS,
    BudgetInput,
    BudgetLine,
    BudgetRound,
    Filer,
    Outcome,
    Proposal,
    Sector,
)
from core.fields import TextField
from core.forms import add_service_errors
from priorities.forms import area_label

# Spaces Norwegians group thousands with: the space, the no-break space, the narrow and
# the thin space (what a spreadsheet or a word processor pastes).
_GROUPING = re.compile(r"[ \u00a0\u202f\u2009]")
_AMOUNT = re.compile(r"^\d+(?:[.,]\d{1,2})?$")
_GROUPED = re.compile(r"^\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?:[.,]\d{1,2})?$")


def parse_amount(value: str) -> Decimal:
    """An amount in kroner as people write it: ``1 234,50``, ``1234.50``, ``12 000``, with
    an optional ``kr``; never negative, at most two decimals. Raises ValidationError."""
    text = (value or "").strip()
    text = re.sub(r"(?i)^kr\.?\s*|\s*(?:kr\.?|nok|,-)$", "", text).strip()
    if not (_AMOUNT.match(text) or _GROUPED.match(text)):
        raise ValidationError(
            _("Write the amount in kroner with digits, e.g. 1 234,50 or 250000."),
            code="invalid",
        )
    number = Decimal(_GROUPING.sub("", text).replace(",", "."))
    if number <= 0 or number > MAX_INPUT_AMOUNT:
        raise ValidationError(
            _("Write an amount in kroner above 0 and under a trillion."), code="out_of_range"
        )
    return number


class AmountField(forms.CharField):
    """An amount in kroner (``parse_amount``), or None when left empty."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        return parse_amount(value)

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")

    def run_validators(self, value):
        # CharField's length validators are for text; the pattern bounds the amount.
        return None


class RoundForm(forms.Form):
    """A planner opens a budget round."""

    title = TextField(label=_("Title"), min_length=3, max_length=200)
    description = TextField(
        label=_("What the input is for"),
        min_length=10,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "In plain language: what can still change, how the input will be used, and "
            "when the people who gave it will hear back."
        ),
    )
    opens_on = forms.DateField(
        label=_("Input opens"), widget=forms.DateInput(attrs={"type": "date"})
    )
    closes_on = forms.DateField(
        label=_("Input closes"), widget=forms.DateInput(attrs={"type": "date"})
    )
    proposal_on = forms.DateField(
        label=_("The administration's proposal is presented (if known)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Input should close before this day, while it can still change the proposal."),
    )
    confirm_dates = forms.BooleanField(
        label=_("Open the round with these dates even so"), required=False
    )

    def clean(self):
        data = super().clean()
        dates = {
            "opens_on": data.get("opens_on"),
            "closes_on": data.get("closes_on"),
            "proposal_on": data.get("proposal_on"),
        }
        errors = rounds.round_errors(**dates)
        if errors:
            add_service_errors(self, ValidationError(errors))
        self.warnings = rounds.round_warnings(**dates)
        if self.warnings and not data.get("confirm_dates"):
            for warning in self.warnings:
                self.add_error("confirm_dates", warning)
        return data


class MembersField(forms.IntegerField):
    """The number of an association's members: a whole number from 1 to ``MAX_MEMBERS``."""

    def __init__(self, **kwargs):
        super().__init__(
            min_value=1,
            max_value=MAX_MEMBERS,
            error_messages={
                "invalid": _("Write the number of members with digits, e.g. 120."),
                "min_value": _("An association has at least 1 member."),
                "max_value": _("That is more members than Norway has people: check the number."),
            },
            **kwargs,
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = _GROUPING.sub("", value.strip())
        return super().to_python(value)


class InputForm(forms.Form):
    """Input on the budget from a resident or an association (logged in)."""

    filed_as = forms.ChoiceField(
        label=_("You give input as"),
        choices=Filer.choices,
        initial=Filer.RESIDENT,
        widget=forms.RadioSelect,
    )
    organisation_name = TextField(label=_("Association"), required=False, max_length=200)
    organisation_number = TextField(
        label=_("Organisation number"),
        required=False,
        max_length=11,
        help_text=_("Nine digits, e.g. 923 609 016."),
    )
    members = MembersField(
        label=_("Number of members"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.none(),
        empty_label=_("Choose a sector"),
        error_messages={
            "required": _("Choose the sector your input is about."),
            "invalid_choice": _("This sector is not in this budget."),
        },
    )
    line = forms.ModelChoiceField(
        label=_("Budget line (optional)"),
        required=False,
        queryset=BudgetLine.objects.none(),
        empty_label=_("The whole sector"),
        error_messages={"invalid_choice": _("This line is not in this budget.")},
    )
    proposal = forms.ChoiceField(
        label=_("You propose"),
        choices=Proposal.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what you propose.")},
    )
    amount = AmountField(
        label=_("Amount in kroner (optional)"),
        required=False,
        help_text=_("How much more or less, or what the measure costs, e.g. 250 000."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    measure_title = TextField(
        label=_("The new measure's title"),
        required=False,
        max_length=200,
        help_text=_("Only for a new measure."),
    )
    reason = TextField(
        label=_("Why"),
        min_length=10,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Public, with the name of the association; a resident's name is not shown."),
    )
    area = forms.ModelChoiceField(
        label=_("Area it concerns (optional)"),
        required=False,
        queryset=Area.objects.none(),
        empty_label=_("The whole municipality"),
        error_messages={"invalid_choice": _("This area is not in the budget's municipality.")},
    )

    def __init__(self, *args, budget_round: BudgetRound, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget_round = budget_round
        budget = budget_round.budget
        self.fields["sector"].queryset = Sector.objects.filter(budget=budget)
        version = budget.versions.order_by("-imported_at", "-pk").first()
        lines = BudgetLine.objects.filter(version=version).select_related("sector")
        self.fields["line"].queryset = lines.order_by(
            "sector__position", "sector__name", "position"
        )
        self.fields["line"].label_from_instance = lambda line: f"{line.sector.name}: {line.name}"
        self.fields["area"].queryset = Area.objects.choosable(budget.case.municipality.code)
        self.fields["area"].label_from_instance = area_label

    def clean(self):
        data = super().clean()
        line = data.get("line")
        sector = data.get("sector") or (line.sector if line else None)
        data["sector"] = sector
        errors = rounds.input_errors(
            budget_round=self.budget_round,
            sector=sector,
            line=line,
            proposal=data.get("proposal") or "",
            amount=data.get("amount"),
            measure_title=data.get("measure_title") or "",
            area=data.get("area"),
            filed_as=data.get("filed_as") or Filer.RESIDENT,
            organisation_name=data.get("organisation_name") or "",
            organisation_number=data.get("organisation_number") or "",
            members=data.get("members"),
        )
        # A field that already has its own error (e.g. members as text) is not repeated.
        errors = {
            field: messages
            for field, messages in errors.items()
            if field == "__all__" or field not in self.errors
        }
        if errors:
            add_service_errors(self, ValidationError(errors))
        return data


class AnswerForm(forms.Form):
    """The administration answers budget input, one or many at once."""

    records = forms.ModelMultipleChoiceField(
        label=_("Input to answer"),
        queryset=BudgetInput.all_objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one piece of input."),
            "invalid_choice": _("Choose input from this round."),
            "invalid_pk_value": _("Choose input from this round."),
        },
    )
    outcome = forms.ChoiceField(
        label=_("What happened in the proposal"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happened in the proposal.")},
    )
    public_text = TextField(
        label=_("Public answer"),
        min_length=5,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Shown with the input and e-mailed to those who gave it and support it, "
            "each in their language."
        ),
    )

    def __init__(self, *args, budget_round: BudgetRound, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["records"].queryset = (
            BudgetInput.all_objects.filter(round=budget_round)
            .select_related("sector", "line", "round__budget__case")
            .order_by("sector__position", "sector__name", "-support_count", "id")
        )
        self.fields["records"].label_from_instance = lambda record: (
            f"{record.reference}: {record.title}"
        )


class ModerateForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("hide", _("Hide")), ("restore", _("Make public"))],
        widget=forms.RadioSelect,
    )
    reason = TextField(
        label=_("Reason (shown in its place)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
