"""A planner creates a budget on a case and imports the demo's illustrative budget with the
keyboard (a bad file first: the error summary takes focus and the report names the row);
then everyone reads the treemap, the bar chart and the tables, in nb and nn, at 320, 390
and 1366 px without horizontal scrolling (screenshots in the temp folder's shots-budgets/)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from accounts.models import Role
from areas.models import Municipality
from budgets.models import Budget
from nabolaget.demo import BUDGET_PROPOSAL, BUDGET_RECOMMENDATION
from tests.browser.conftest import assert_accessible, log_in_by_keyboard, tab_to
from tests.cases.factories import make_case
from tests.priorities.factories import staff

SHOTS = Path(tempfile.gettempdir()) / "shots-budgets"
WIDTHS = (320, 390, 1366)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def choose_stage(page, stage: str) -> None:
    """Tab into the radio group (focus lands on its first radio), Space to choose it, the
    arrow keys to move the choice, as a keyboard user does."""
    tab_to(page, "el.type === 'radio' && el.name === 'stage'")
    page.keyboard.press("Space")
    for _ in range(4):
        if page.evaluate("document.activeElement.value") == stage:
            break
        page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.checked && document.activeElement.value") == stage


def shoot(page, name: str, language: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert no_horizontal_scroll(page), f"{name} ({language}) scrolls sideways at {width} px"
        page.screenshot(path=SHOTS / f"{name}-{language}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_a_planner_imports_a_budget_by_keyboard_and_sees_the_treemap_and_tables(
    open_page, axe, language, tmp_path
):
    Municipality.objects.filter(code="1804").update(population=53_000)
    planner = staff(Role.PLANNER)
    case = make_case(planner, number="2026/1800", title="Budsjett 2027 og økonomiplan")
    page = open_page(language)
    log_in_by_keyboard(page, planner.email)

    page.goto(page.base_url + f"/cases/{case.pk}/work/")
    create = {"nb": "Opprett et budsjett i saken", "nn": "Opprett eit budsjett i saka"}[language]
    tab_to(page, f"el.tagName === 'A' && el.textContent.trim() === '{create}'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/budgets/new/")
    assert_accessible(axe, page)
    shoot(page, "budget-new", language)
    tab_to(page, "el.id === 'id_first_year'")
    page.keyboard.type("2027")
    tab_to(page, "el.tagName === 'BUTTON' && el.closest('form.priority-form')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/import/")
    budget = Budget.objects.get()

    # A bad file first: the report names the row and column, the summary takes focus.
    bad = tmp_path / "budsjett.csv"
    lines = BUDGET_PROPOSAL.read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(";")
    cells[5] = "mange penger"  # row 4 of the file, its 2027 column
    lines[3] = ";".join(cells)
    bad.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    choose_stage(page, "proposal")
    page.set_input_files("#id_file", str(bad))
    tab_to(page, "el.tagName === 'BUTTON' && el.closest('form.priority-form')")
    page.keyboard.press("Enter")
    page.locator("#import-problems").wait_for()
    page.wait_for_function(
        "document.activeElement && document.activeElement.id === 'error-summary'"
    )
    cells = page.locator("#import-problems tbody tr").first.locator("td").all_inner_texts()
    assert cells[:2] == ["4", "2027"] and "«mange penger»" in cells[2]
    assert not budget.versions.exists()
    assert_accessible(axe, page)
    shoot(page, "import-errors", language)

    # The demo's proposal, then the recommendation.
    for stage, path in (("proposal", BUDGET_PROPOSAL), ("recommendation", BUDGET_RECOMMENDATION)):
        if stage == "recommendation":
            page.goto(page.base_url + f"/budgets/{budget.pk}/import/")
        choose_stage(page, stage)
        page.set_input_files("#id_file", str(path))
        tab_to(page, "el.tagName === 'BUTTON' && el.closest('form.priority-form')")
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/budgets/{budget.pk}/versions/{stage}/")

    assert budget.versions.count() == 2
    treemap = page.locator("svg.chart-wide[role='img']").first
    assert treemap.is_visible()
    assert "Oppvekst og utdanning" in page.locator("#sector-table").inner_text()
    assert_accessible(axe, page)
    shoot(page, "budget", language)
    page.set_viewport_size({"width": 320, "height": 900})
    assert page.locator("svg.chart-narrow[role='img']").first.is_visible()
    page.set_viewport_size({"width": 1280, "height": 900})

    # A sector's lines, the areas and the versions side by side, each reachable by keyboard.
    tab_to(page, "el.tagName === 'A' && el.textContent.trim() === 'Oppvekst og utdanning'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/sectors/*/")
    assert "Bodø sentrum skole" in page.inner_text("main")
    assert_accessible(axe, page)
    shoot(page, "sector", language)
    page.goto(page.base_url + f"/budgets/{budget.pk}/versions/recommendation/areas/")
    assert "Rønvik skolekrets (demo)" in page.inner_text("main")
    shoot(page, "areas", language)
    page.goto(page.base_url + f"/budgets/{budget.pk}/compare/")
    assert_accessible(axe, page)
    shoot(page, "compare", language)
