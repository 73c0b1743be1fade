"""Budget rounds in a real browser, in Bokmål and Nynorsk: an association gives input with
the keyboard alone (its mistakes announced in an error summary that takes focus, then the
receipt), and the round's page, the input form and the answers page fit a phone and a
desktop (320, 390 and 1366 px: no horizontal scroll, no WCAG 2.1 AA violation).

Screenshots of every page at every width are written to the folder named by
NABOLAGET_SCREENSHOTS when it is set (to look at them)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from accounts.models import Role
from budgets.models import BudgetInput
from tests.browser.conftest import assert_accessible, log_in_by_keyboard, tab_to
from tests.budgets.round_factories import BAD_ORGNR, VALID_ORGNR, give, make_round
from tests.priorities.factories import UserFactory, staff

WORDS = {
    "nb": {
        "send": "Send innspillet",
        "check_digit": "Kontrollsifferet",
        "members": "En forening har minst 1 medlem.",
        "receipt": "Takk: innspillet ditt er mottatt",
    },
    "nn": {
        "send": "Send innspelet",
        "check_digit": "Kontrollsifferet",
        "members": "Eit lag har minst 1 medlem.",
        "receipt": "Takk: innspelet ditt er motteke",
    },
}
WIDTHS = (320, 390, 1366)


def focus_is_on(page, selector: str) -> None:
    try:
        page.wait_for_function(
            "selector => !!document.activeElement && !!document.activeElement.closest(selector)",
            arg=selector,
            timeout=5_000,
        )
    except PlaywrightTimeout:
        active = page.evaluate("document.activeElement && document.activeElement.outerHTML")
        raise AssertionError(f"Focus is not on {selector} at {page.url} but on {active}") from None


def type_into(page, predicate: str, text: str) -> None:
    tab_to(page, predicate)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_an_association_gives_budget_input_by_keyboard_with_its_errors_announced(
    open_page, axe, language
):
    words = WORDS[language]
    budget_round = make_round(staff(Role.PLANNER))
    association = UserFactory(email=f"idrettsrad-{language}@example.no", language=language)
    page = open_page(language)

    log_in_by_keyboard(page, association.email)
    page.goto(page.base_url + budget_round.get_absolute_url())
    assert_accessible(axe, page)
    tab_to(page, "el.getAttribute('href') && el.getAttribute('href').endsWith('/input/new/')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/input/new/")
    tab_to(page, "el.name === 'filed_as'")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == "association"
    type_into(page, "el.id === 'id_organisation_name'", "Bodø idrettsråd")
    type_into(page, "el.id === 'id_organisation_number'", BAD_ORGNR)
    type_into(page, "el.id === 'id_members'", "0")
    tab_to(page, "el.id === 'id_sector'")
    page.keyboard.press("ArrowDown")  # the first sector
    tab_to(page, "el.name === 'proposal'")
    page.keyboard.press("ArrowDown")  # from "a comment" to "more money"
    assert page.evaluate("document.activeElement.value") == "more"
    type_into(page, "el.id === 'id_amount'", "1 234,50")
    type_into(page, "el.id === 'id_reason'", "Flere lærere i småtrinnet gir bedre skoledager.")
    tab_to(page, f"el.tagName === 'BUTTON' && el.textContent.trim() === {words['send']!r}")
    page.keyboard.press("Enter")

    # Refused: the summary takes focus and names both mistakes; nothing is written.
    page.wait_for_selector("[data-error-summary]")
    focus_is_on(page, "[data-error-summary]")
    summary = page.locator("[data-error-summary]").inner_text()
    assert words["check_digit"] in summary and words["members"] in summary
    assert not BudgetInput.all_objects.exists()
    assert_accessible(axe, page)
    page.wait_for_load_state("load")
    tab_to(page, "el.closest('[data-error-summary]') && el.hash === '#id_organisation_number'")
    page.keyboard.press("Enter")
    focus_is_on(page, "#id_organisation_number")
    page.keyboard.press("Control+A")
    page.keyboard.type(VALID_ORGNR)
    type_into(page, "el.id === 'id_members'", "4 200")
    tab_to(page, f"el.tagName === 'BUTTON' && el.textContent.trim() === {words['send']!r}")
    page.keyboard.press("Enter")

    page.locator(".receipt").wait_for()
    focus_is_on(page, ".receipt")
    record = BudgetInput.all_objects.get()
    receipt = page.locator(".receipt").inner_text()
    assert words["receipt"] in receipt and record.reference in receipt
    assert (record.filed_as, record.organisation_number, record.members) == (
        "association",
        VALID_ORGNR,
        4200,
    )
    assert str(record.amount) == "1234.50"
    assert_accessible(axe, page)


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_round_s_pages_fit_a_phone_and_a_desktop(open_page, axe, language):
    planner = staff(Role.PLANNER, email=f"planlegger-{language}@example.no")
    budget_round = make_round(planner)
    give(UserFactory(), budget_round)
    shots = os.environ.get("NABOLAGET_SCREENSHOTS")
    pages = {
        "round": budget_round.get_absolute_url(),
        "input_form": f"{budget_round.get_absolute_url()}input/new/",
        "answers": f"{budget_round.get_absolute_url()}answers/",
    }
    for width in WIDTHS:
        page = open_page(language, {"width": width, "height": 900})
        log_in_by_keyboard(page, planner.email)
        for name, url in pages.items():
            page.goto(page.base_url + url)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
                f"horizontal scroll at {width} px on {url}"
            )
            if width == 390:
                assert_accessible(axe, page)
            if shots:
                Path(shots).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=f"{shots}/{name}-{language}-{width}.png", full_page=True)
