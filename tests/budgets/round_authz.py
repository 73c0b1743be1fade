"""The budget rounds' part of the authorization matrix (tests/security/test_authz_matrix.py):
an open round on a budget in each municipality, with input from each role (their own) and
from other residents, and a request per URL."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.urls import reverse
from django.utils import timezone

from budgets import rounds
from budgets.models import Budget, BudgetLine
from tests.budgets.round_factories import give, make_budget
from tests.cases.factories import CaseFactory


def _round(planner, budget):
    today = timezone.localdate()
    return rounds.round_open(
        actor=planner,
        budget=budget,
        title="Innspill til budsjett 2027",
        description="Si hva som bør prioriteres før forslaget.",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=20),
    )


def build(world) -> SimpleNamespace:
    """An open round here (with input by each role, by another resident and by a council's
    secretary) and one in the neighbour municipality (with input by its resident)."""
    here = _round(world.others["planner"], make_budget(world.others["planner"], number="2026/7100"))
    far_case = CaseFactory(municipality=world.municipality["far"], number="2026/7101")
    far_planner = world.others["far_planner"]
    far_budget = Budget.objects.create(
        case=far_case, title="Budsjett 2027", first_year=2027, created_by=far_planner
    )
    far_version = far_budget.versions.create(stage="previous", imported_by=far_planner)
    far_sector = far_budget.sectors.create(name="Oppvekst")
    BudgetLine.objects.create(version=far_version, sector=far_sector, name="Grunnskole")
    far = _round(far_planner, far_budget)
    far_line = BudgetLine.objects.get(version=far_version)
    inputs = {
        "other_user": give(world.others["resident"], here),
        "other_council": give(world.others["other_secretary"], here),
        "other_municipality": give(
            world.others["far_resident"], far, sector=far_sector, line=far_line
        ),
    }
    for role, user in world.users.items():
        if user is not None:
            inputs[("own", role)] = give(user, here)
    return SimpleNamespace(here=here, far=far, inputs=inputs)


URLS = {
    "budgets:round_new",
    "budgets:round",
    "budgets:round_list",
    "budgets:input_new",
    "budgets:round_answers",
    "budgets:round_answered",
    "budgets:input",
    "budgets:input_support",
    "budgets:input_moderate",
}


def request(world, name: str, relation: str, role: str) -> tuple[str, dict]:
    """(path, body) for a row of the matrix about budget rounds."""
    budgets = world.budget_rounds
    budget_round = budgets.far if relation == "other_municipality" else budgets.here
    key = ("own", role) if relation == "own" and ("own", role) in budgets.inputs else relation
    record = budgets.inputs.get(key) or budgets.inputs["other_user"]
    today = timezone.localdate()
    sector = record.sector
    routes = {
        "budgets:round_new": (
            reverse("budgets:round_new", args=[budget_round.budget_id]),
            {
                "title": "Ny runde",
                "description": "Innspill til økonomiplanen før forslaget.",
                "opens_on": today.isoformat(),
                "closes_on": (today + datetime.timedelta(days=7)).isoformat(),
            },
        ),
        "budgets:round": (reverse("budgets:round", args=[budget_round.pk]), {}),
        "budgets:round_list": (
            reverse("budgets:round_list", args=[budget_round.budget.case.municipality.code]),
            {},
        ),
        "budgets:input_new": (
            reverse("budgets:input_new", args=[budget_round.pk]),
            {
                "filed_as": "resident",
                "sector": sector.pk,
                "proposal": "more",
                "amount": "1 234,50",
                "reason": "Flere lærere i småtrinnet, takk.",
            },
        ),
        "budgets:round_answers": (
            reverse("budgets:round_answers", args=[budget_round.pk]),
            {"records": [record.pk], "outcome": "partly", "public_text": "Delvis med."},
        ),
        "budgets:round_answered": (
            reverse("budgets:round_answered", args=[budget_round.pk]),
            {},
        ),
        "budgets:input": (reverse("budgets:input", args=[record.pk]), {}),
        "budgets:input_support": (reverse("budgets:input_support", args=[record.pk]), {}),
        "budgets:input_moderate": (
            reverse("budgets:input_moderate", args=[record.pk]),
            {"action": "restore"},
        ),
    }
    return routes[name]
