"""Forms in a real browser, keyboard only, in Bokmål and Nynorsk: the error summary takes
focus and leads to each field, the receipt takes focus, the address field suggests
addresses (the WAI-ARIA combobox) and moves the pin or names the areas, and no
aria-describedby or aria-labelledby points at an element that is not there."""

import datetime
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Role
from priorities.models import Priority
from tests.areas.factories import CouncilFactory, council_secretary, municipality_area
from tests.browser.conftest import assert_accessible
from tests.browser.test_resident_journey import log_in
from tests.cases.factories import CaseFactory
from tests.priorities.factories import UserFactory, make_priority, staff

SHOTS = Path(tempfile.gettempdir()) / "shots-b"
WORDS = {
    "nb": {
        "summary": "Det er feil i skjemaet",
        "found": "2 adresser funnet",
        "chosen": "Storgata 1 er valgt, og markøren er plassert der.",
        "areas": "Områder her:",
        "category": "Trafikksikkerhet",
    },
    "nn": {
        "summary": "Det er feil i skjemaet",
        "found": "2 adresser funne",
        "chosen": "Storgata 1 er vald, og markøren er plassert der.",
        "areas": "Område her:",
        "category": "Trafikktryggleik",
    },
}
# The ids named by aria-describedby and aria-labelledby that no element of the page has.
MISSING_TARGETS = """() => {
  const missing = [];
  for (const el of document.querySelectorAll('[aria-describedby], [aria-labelledby]')) {
    for (const attr of ['aria-describedby', 'aria-labelledby']) {
      for (const id of (el.getAttribute(attr) || '').split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) missing.push(`${attr}=${id} on <${el.tagName.toLowerCase()} id=${el.id}>`);
      }
    }
  }
  return missing;
}"""


def shoot(page, name: str, language: str) -> None:
    """Screenshots at a phone's and a desktop's width, for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width, height in [(390, 844), (1366, 900)]:
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate("document.activeElement?.scrollIntoView({ block: 'center' })")
        page.screenshot(path=SHOTS / f"{name}-{language}-{width}.png", full_page=False)
    page.set_viewport_size(size)


def active_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def resident(language):
    return UserFactory(language=language)


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_error_summary_takes_focus_and_its_links_lead_to_the_fields(open_page, axe, language):
    page = open_page(language)
    log_in(page, resident(language).email)
    page.goto(page.base_url + "/priorities/new/")
    page.wait_for_selector("#map[data-ready='true']")

    page.locator("form.priority-form button[type=submit]").last.focus()
    page.keyboard.press("Enter")

    summary = page.locator(".error-summary")
    summary.wait_for()
    assert active_id(page) == "error-summary"
    assert WORDS[language]["summary"] in summary.inner_text()
    links = summary.locator("a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        "#id_category",
        "#id_title",
        "#id_text",
        "#id_address",
    ]
    assert page.evaluate(MISSING_TARGETS) == []
    assert_accessible(axe, page)
    shoot(page, "pin-form-errors", language)

    # Keyboard only: Tab into the summary, Enter on a link: the field has focus.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#id_category"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert active_id(page) == "id_title"
    described = page.get_attribute("#id_title", "aria-describedby").split()
    assert "id_title_error" in described
    assert page.locator("#id_title_error").inner_text()

    summary.locator("a[href='#id_address']").focus()
    page.keyboard.press("Enter")
    assert active_id(page) == "id_address"


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_an_address_is_chosen_with_the_keyboard_and_pins_the_place(open_page, axe, language):
    """Type, ArrowDown, Enter: the address is chosen, the pin is placed (latitude and
    longitude filled in), and the count and the choice are said; Escape closes the list.
    After sending, the receipt has focus."""
    page = open_page(language)
    log_in(page, resident(language).email)
    page.goto(page.base_url + "/priorities/new/")
    page.wait_for_selector("#map[data-ready='true']")
    field = page.locator("#id_address")
    assert field.get_attribute("role") == "combobox"
    assert field.get_attribute("aria-expanded") == "false"
    listbox_id = field.get_attribute("aria-controls")

    field.focus()
    page.keyboard.type("Storg")
    listbox = page.locator(f"#{listbox_id}")
    listbox.wait_for(state="visible")
    assert field.get_attribute("aria-expanded") == "true"
    options = listbox.get_by_role("option")
    assert options.count() == 2
    page.locator(f"#id_address-status:has-text('{WORDS[language]['found']}')").wait_for()
    assert_accessible(axe, page)
    page.keyboard.press("ArrowDown")
    assert field.get_attribute("aria-activedescendant") == options.nth(0).get_attribute("id")
    assert options.nth(0).get_attribute("aria-selected") == "true"
    shoot(page, "pin-form-combobox", language)

    page.keyboard.press("Enter")

    assert field.input_value() == "Storgata 1"
    assert field.get_attribute("aria-expanded") == "false"
    assert listbox.is_hidden()
    assert page.input_value("#id_lat") == "67.283300"
    assert page.input_value("#id_lon") == "14.378500"
    page.locator(f"#id_address-status:has-text('{WORDS[language]['chosen']}')").wait_for()
    assert active_id(page) == "id_address"

    # Escape closes the list and leaves the text as typed.
    page.keyboard.press("Control+A")
    page.keyboard.type("Rønv")
    listbox.wait_for(state="visible")
    page.keyboard.press("Escape")
    assert listbox.is_hidden()
    assert field.get_attribute("aria-expanded") == "false"
    assert field.input_value() == "Rønv"
    page.keyboard.press("Control+A")
    page.keyboard.type("Storgata 1")

    page.select_option("#id_category", label=WORDS[language]["category"])
    page.fill("#id_title", "Farlig kryss")
    page.fill("#id_text", "Bilene kjører fort her, og barna krysser hver morgen.")
    page.locator("form.priority-form button[type=submit]").last.focus()
    page.keyboard.press("Enter")

    page.locator(".receipt").wait_for()
    assert page.evaluate("document.activeElement.classList.contains('receipt')")
    priority = Priority.all_objects.get(title="Farlig kryss")
    assert priority.areas.filter(name="Bodø sentrum skolekrets (demo)").exists()


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_home_pages_address_field_names_the_areas_there(open_page, axe, language):
    page = open_page(language)
    page.goto(page.base_url + "/")
    page.wait_for_selector("#map[data-ready='true']")

    page.locator("#id_address").focus()
    page.keyboard.type("sjøga")
    page.locator("#id_address-listbox").wait_for(state="visible")
    shoot(page, "home-combobox", language)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")

    result = page.locator("#lookup-result")
    result.get_by_text("Bodø sentrum skolekrets (demo)").wait_for()
    assert WORDS[language]["areas"] in result.inner_text()
    centre = page.evaluate(
        "(() => { const c = document.getElementById('map').map.getCenter(); return [c.lat, c.lng]; })()"
    )
    assert abs(centre[0] - 67.2842) < 0.001 and abs(centre[1] - 14.3805) < 0.001
    assert_accessible(axe, page)


def submit(page):
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_every_aria_reference_points_at_an_element_on_every_page_with_a_form(
    open_page, axe, language
):
    """As anonymous, resident, council secretary and planner, every page with a form,
    and the forms after a submit with errors: no aria-describedby or aria-labelledby
    names an id that is not on the page."""
    council = CouncilFactory(name="Ungdomsrådet i Bodø", areas=[municipality_area("1804")])
    secretary = council_secretary(council, email="sekretar@ungdomsradet.no", language=language)
    planner = staff(Role.PLANNER, email="planlegger@bodo.kommune.no", language=language)
    case = CaseFactory(meeting_date=timezone.localdate() + datetime.timedelta(days=40))
    priority = make_priority()
    problems = {}

    def check(page, what):
        missing = page.evaluate(MISSING_TARGETS)
        if missing:
            problems[what] = missing

    def visit(page, path, *, refused=False, fill=None):
        page.goto(page.base_url + path)
        check(page, path)
        if refused:
            for selector, value in (fill or {}).items():
                page.fill(selector, value)
            submit(page)
            assert page.locator(".error-summary").count() >= 1, path
            assert page.evaluate("document.activeElement.classList.contains('error-summary')")
            check(page, f"{path} after errors")

    anonymous = open_page(language)
    for path in ["/", f"/priorities/{priority.pk}/", "/councils/"]:
        visit(anonymous, path)
    visit(anonymous, "/?address=Finnesikke", refused=False)
    # The browser checks allauth's required fields itself: what it lets through is refused.
    visit(
        anonymous,
        "/accounts/signup/",
        refused=True,
        fill={
            "input[name=email]": "ny@example.no",
            "input[name=password1]": "kort",
            "input[name=password2]": "kort",
        },
    )
    visit(
        anonymous,
        "/accounts/login/",
        refused=True,
        fill={"input[name=login]": "ukjent@example.no", "input[name=password]": "feil-passord"},
    )
    assert_accessible(axe, anonymous)

    person = open_page(language)
    log_in(person, resident(language).email)
    for path in ["/me/", "/me/privacy/", f"/priorities/{priority.pk}/"]:
        visit(person, path)
    visit(person, "/priorities/new/", refused=True)

    clerk = open_page(language)
    log_in(clerk, secretary.email)
    visit(clerk, council.get_absolute_url())
    visit(clerk, f"/councils/{council.pk}/file/", refused=True)
    assert_accessible(axe, clerk)
    shoot(clerk, "submission-form-errors", language)

    officer = open_page(language)
    log_in(officer, planner.email)
    for path in ["/planner/", f"/priorities/{priority.pk}/", f"/cases/{case.pk}/digest/"]:
        visit(officer, path)
    visit(officer, f"/cases/{case.pk}/consultations/new/", refused=True)
    visit(officer, f"/cases/{case.pk}/")
    visit(officer, f"/cases/{case.pk}/work/")
    officer.locator("form.link-form button[type=submit]").click()
    officer.wait_for_load_state()
    check(officer, "case link form after errors")
    visit(officer, "/cases/new/", refused=True)
    assert_accessible(axe, officer)
    shoot(officer, "case-form-errors", language)

    assert problems == {}
