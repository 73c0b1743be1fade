"""The demo's illustrative budget: loaded once with its proposal and recommendation, lines
placed in the demo's areas; its XLSX says the same as its CSV; the script reproduces it."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from budgets.imports import parse_budget
from budgets.models import Budget, BudgetLine
from budgets.services import area_lookup
from nabolaget.demo import BUDGET_PROPOSAL, load_demo_budget

pytestmark = pytest.mark.django_db


def test_the_demo_budget_is_loaded_once_and_marked_illustrative():
    budget = load_demo_budget()
    assert budget.illustrative and budget.case.number == "2026/1800"
    assert sorted(budget.versions.values_list("stage", flat=True)) == [
        "proposal",
        "recommendation",
    ]
    proposal = budget.versions.get(stage="proposal")
    assert 60 <= proposal.lines.count() <= 150 and proposal.has_year_before
    assert budget.sectors.count() == 7
    assert BudgetLine.objects.filter(version=proposal, area__isnull=False).count() >= 20
    assert load_demo_budget() is None and Budget.objects.count() == 1


def test_the_xlsx_says_what_the_csv_says_and_the_script_reproduces_both(tmp_path, monkeypatch):
    areas = area_lookup("1804")
    xlsx = BUDGET_PROPOSAL.with_suffix(".xlsx")
    from_csv = parse_budget(BUDGET_PROPOSAL.read_bytes(), first_year=2027, areas=areas)
    from_xlsx = parse_budget(xlsx.read_bytes(), first_year=2027, areas=areas)
    assert from_csv.ok and from_xlsx.ok and from_csv.rows == from_xlsx.rows
    script = runpy.run_path(str(Path(__file__).parents[2] / "scripts" / "make_demo_budget.py"))
    monkeypatch.setitem(script["main"].__globals__, "FOLDER", tmp_path)
    script["main"]()
    for name in (BUDGET_PROPOSAL.name, xlsx.name, "bodo-budsjett-2027-innstilling.csv"):
        assert (tmp_path / name).read_bytes() == (BUDGET_PROPOSAL.parent / name).read_bytes()
