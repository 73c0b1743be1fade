"""The budgets' part of the authorization matrix (tests/security/test_authz_matrix.py): a
budget with an imported version on a case in each municipality, and a request per URL."""

from __future__ import annotations

from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from budgets import services
from tests.budgets.factories import csv_bytes


def build(world) -> SimpleNamespace:
    """A budget (its proposal imported) on the matrix's case here and in the neighbour
    municipality, by their own planners."""
    found = {}
    for key, planner, case in [
        ("here", world.others["planner"], world.case["own"]),
        ("far", world.others["far_planner"], world.case["other_municipality"]),
    ]:
        budget = services.budget_create(
            actor=planner, case=case, title="Budsjett 2027", first_year=2027
        )
        services.version_import(
            actor=planner, budget=budget, stage="proposal", data=csv_bytes(), source_name="b.csv"
        )
        found[key] = SimpleNamespace(budget=budget, sector=budget.sectors.first())
    return SimpleNamespace(**found)


def request(world, name: str, relation: str) -> tuple[str, dict]:
    """(path, body) for a row of the matrix about budgets."""
    objects = world.budgets.far if relation == "other_municipality" else world.budgets.here
    budget, sector = objects.budget, objects.sector
    routes = {
        "budgets:new": (
            reverse("budgets:new", args=[budget.case_id]),
            {"title": "Budsjett 2028", "first_year": str(timezone.localdate().year + 1)},
        ),
        "budgets:import": (
            reverse("budgets:import", args=[budget.pk]),
            {
                "stage": "adopted",
                "file": SimpleUploadedFile("vedtatt.csv", csv_bytes(), "text/csv"),
            },
        ),
        "budgets:detail": (reverse("budgets:detail", args=[budget.pk]), {}),
        "budgets:compare": (reverse("budgets:compare", args=[budget.pk]), {}),
        "budgets:version": (reverse("budgets:version", args=[budget.pk, "proposal"]), {}),
        "budgets:areas": (reverse("budgets:areas", args=[budget.pk, "proposal"]), {}),
        "budgets:sector": (
            reverse("budgets:sector", args=[budget.pk, "proposal", sector.pk]),
            {},
        ),
        "api:budget-detail": (reverse("api:budget-detail", args=[budget.pk]), {}),
    }
    return routes[name]
