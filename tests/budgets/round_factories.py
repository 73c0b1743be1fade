"""Budgets and rounds for the rounds' tests: a small budget with three sectors made in the
ORM (the import is part A's), a round opened the planner's way (through the service), and
input given the way residents and associations give it."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import Role
from budgets import rounds
from budgets.models import Budget, BudgetAmount, BudgetLine, BudgetRound, BudgetVersion, Sector
from tests.cases.factories import make_case
from tests.priorities.factories import staff

VALID_ORGNR = "923609016"
BAD_ORGNR = "923609017"  # the check digit is wrong

SECTORS = {
    "Oppvekst og kultur": ["Grunnskole", "Barnehager", "Bibliotek"],
    "Helse og omsorg": ["Hjemmetjenester", "Sykehjem"],
    "Teknisk": ["Veivedlikehold", "Gatelys"],
}


def make_budget(
    planner=None, *, case=None, number="2026/7000", title="Budsjett 2027 og økonomiplan 2027–2030"
):
    """A budget on a budget case with last year's adopted version: three sectors, seven
    lines, four plan years each."""
    planner = planner or staff(Role.PLANNER)
    case = case or make_case(planner, number=number, title="Budsjett 2027", geometry=None)
    budget = Budget.objects.create(case=case, title=title, first_year=2027, created_by=planner)
    version = BudgetVersion.objects.create(
        budget=budget, stage="previous", label="Vedtatt budsjett 2026", imported_by=planner
    )
    for position, (sector_name, lines) in enumerate(SECTORS.items()):
        sector = Sector.objects.create(budget=budget, name=sector_name, position=position)
        for row, name in enumerate(lines):
            line = BudgetLine.objects.create(
                version=version, sector=sector, name=name, position=row
            )
            BudgetAmount.objects.bulk_create(
                BudgetAmount(line=line, year=year, amount=Decimal(1_000_000 * (row + 1)))
                for year in budget.years
            )
    return budget


def make_round(planner=None, *, budget=None, **fields) -> BudgetRound:
    """A round open from today for three weeks, before the proposal."""
    planner = planner or staff(Role.PLANNER)
    budget = budget or make_budget(planner)
    today = timezone.localdate()
    values = {
        "title": "Innspill til budsjett 2027",
        "description": "Si hva som bør prioriteres før rådmannens forslag legges fram.",
        "opens_on": today,
        "closes_on": today + datetime.timedelta(days=21),
        "proposal_on": today + datetime.timedelta(days=40),
    } | fields
    return rounds.round_open(actor=planner, budget=budget, **values)


def sector(budget_round, name="Oppvekst og kultur") -> Sector:
    return Sector.objects.get(budget=budget_round.budget, name=name)


def line(budget_round, name="Grunnskole") -> BudgetLine:
    return BudgetLine.objects.get(version__budget=budget_round.budget, name=name)


def give(author, budget_round, **fields):
    """Input from a resident: more money for the schools."""
    if "sector" not in fields:
        fields["sector"] = sector(budget_round)
    if "line" not in fields:
        fields["line"] = line(budget_round)
    values = {
        "proposal": "more",
        "reason": "Skolene trenger flere lærere i småtrinnet.",
        "amount": Decimal("2500000"),
    } | fields
    return rounds.input_give(author=author, budget_round=budget_round, **values)


def give_as_association(author, budget_round, **fields):
    values = {
        "filed_as": "association",
        "organisation_name": "Bodø idrettsråd",
        "organisation_number": VALID_ORGNR,
        "members": 4200,
        "proposal": "new_measure",
        "measure_title": "Ny kunstgressbane på Hunstad",
        "line": None,
        "amount": Decimal("1234.50"),
    } | fields
    return give(author, budget_round, **values)
