"""Two of the three journeys of the UI issue, keyboard only on a phone (390×844), in Bokmål
and Nynorsk: a planner answers in the workspace; a planner freezes a case's digest and a
councillor reads it, PDF and all. (The third, pinning on a phone, is in test_pin_on_phone.)

Nothing here clicks or taps: focus moves with Tab, choices with the arrow keys, and Enter or
Space act, as they do for a person without a mouse."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Role
from cases.models import FrozenDigest
from priorities.models import PriorityStatusChange
from tests.browser.conftest import assert_accessible, log_in_by_keyboard, tab_to
from tests.cases.factories import make_case
from tests.priorities.factories import BODO_CENTRE, make_priority, staff

WORDS = {
    "nb": {"save": "Lagre og varsle", "work": "Arbeid med saken", "freeze": "Frys sammendraget"},
    "nn": {"save": "Lagre og varsle", "work": "Arbeid med saka", "freeze": "Frys samandraget"},
}


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_a_planner_answers_three_by_keyboard_on_a_phone(open_page, axe, language):
    chosen = [make_priority(title=f"Trafikkfare {n}") for n in range(3)]
    make_priority(title="Lekeplass", category="lek-og-friluft")
    planner = staff(Role.PLANNER, email=f"planlegger-{language}@bodo.kommune.no")
    page = open_page(language, phone=True)

    log_in_by_keyboard(page, planner.email)
    page.goto(page.base_url + "/planner/?category=trafikksikkerhet")
    page.wait_for_selector("#map[data-choropleth-ready='true']")
    fits(page)
    assert page.locator("#choropleth-legend li").count() >= 2, "the map has a key with numbers"

    tab_to(page, "el.id === 'pick-all'")
    page.keyboard.press("Space")
    assert page.locator("#priority-table input[name=ids]:checked").count() == 3
    assert "3" in page.locator("#picked-count").inner_text()
    tab_to(page, "el.id === 'id_status'")
    for _ in range(8):
        if page.evaluate("document.activeElement.value") == "under_consideration":
            break
        page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == "under_consideration"
    tab_to(page, "el.id === 'id_public_text'")
    page.keyboard.type("Vi vurderer fartsdempende tiltak i sentrum.")
    tab_to(
        page, f"el.tagName === 'BUTTON' && el.textContent.trim() === '{WORDS[language]['save']}'"
    )
    page.keyboard.press("Enter")
    page.locator(".message.success").wait_for()

    assert set(PriorityStatusChange.objects.values_list("record_id", flat=True)) == {
        p.pk for p in chosen
    }
    fits(page)
    assert_accessible(axe, page)


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_a_digest_is_frozen_and_read_by_keyboard_on_a_phone(
    open_page, axe, language, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    planner = staff(Role.PLANNER, email=f"planlegger-{language}@bodo.kommune.no")
    councillor = staff(Role.COUNCILLOR, email=f"folkevalgt-{language}@bodo.kommune.no")
    case = make_case(planner, title="Trygge skoleveier i sentrum")
    for n in range(4):
        make_priority(at=BODO_CENTRE, title=f"Trygg skolevei {n}")
    page = open_page(language, phone=True)

    log_in_by_keyboard(page, planner.email)
    page.goto(page.base_url + case.get_absolute_url())
    fits(page)
    tab_to(page, f"el.tagName === 'A' && el.textContent.startsWith('{WORDS[language]['work']}')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/cases/{case.pk}/work/")
    fits(page)
    tab_to(
        page, f"el.tagName === 'BUTTON' && el.textContent.trim() === '{WORDS[language]['freeze']}'"
    )
    page.keyboard.press("Enter")
    page.locator(".frozen-note").wait_for()
    frozen = FrozenDigest.objects.get(case=case)
    assert frozen.language == language

    reader = open_page(language, phone=True)
    log_in_by_keyboard(reader, councillor.email)
    reader.goto(reader.base_url + case.get_absolute_url())
    fits(reader)
    glance = reader.locator(".at-a-glance")
    assert "Trygg skolevei" in glance.inner_text() or "4" in glance.inner_text()
    assert_accessible(axe, reader)
    # Every table scrolls in its own region, reachable by keyboard.
    tab_to(reader, "el.classList.contains('table-scroll')")
    # The PDF: its charts drawn (numbers with a decimal point, whatever the language).
    pdf_link = reader.locator("a[href$='/pdf/']").first
    href = pdf_link.get_attribute("href")
    response = reader.request.get(reader.base_url + href)
    assert response.status == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert case.number in text and "Trygg skolevei" in text
    assert timezone.localdate().strftime("%Y-%m") in text, "the monthly chart's label is drawn"
    assert "<rect" in frozen.html and 'x="60,0"' not in frozen.html
