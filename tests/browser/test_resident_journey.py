"""The feedback loop as people live it, in a real browser: sign up, pin, support, get an answer."""

import re

from django.core import mail

from accounts.models import Role
from priorities.models import Priority
from tests.browser.conftest import assert_accessible
from tests.browser.test_home import click_map_at
from tests.conftest import run_jobs
from tests.priorities.factories import PASSWORD, UserFactory, make_priority, staff

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")


def sign_up(page, email):
    """Sign up with e-mail and password and confirm the address from the e-mail."""
    page.goto(page.base_url + "/accounts/signup/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/accounts/confirm-email/")
    (message,) = [m for m in mail.outbox if email in m.to]
    link = CONFIRM_LINK.search(message.body).group(0)
    page.goto(link)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "confirm-email" not in url)


def log_in(page, email):
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def answer_as_planner(browser, base_url, priority, text):
    planner = staff(Role.PLANNER, email="planlegger@bodo.kommune.no")
    context = browser.new_context(locale="nb-NO")
    page = context.new_page()
    page.base_url = base_url
    log_in(page, planner.email)
    page.goto(base_url + priority.get_absolute_url())
    page.select_option("select[name=status]", "in_case")
    page.fill("textarea[name=public_text]", text)
    page.fill("input[name=case_number]", "2026/1234")
    page.get_by_role("button", name="Lagre og varsle").click()
    page.get_by_text(text).wait_for()
    context.close()


def test_resident_pins_supports_and_hears_back(page, browser, axe):
    neighbour_priority = make_priority(
        UserFactory(), title="Gatelys mangler", at=(15.0, 67.117), category="vei-og-gatelys"
    )
    email = "ny.innbygger@example.no"

    sign_up(page, email)

    # Pin a priority on the map.
    page.goto(page.base_url + "/priorities/new/")
    page.wait_for_selector("#map[data-ready='true']")
    assert_accessible(axe, page)
    click_map_at(page, 67.117, 15.0)
    assert page.input_value("#id_lat").startswith("67.1")
    page.select_option("#id_category", label="Trafikksikkerhet")
    page.fill("#id_title", "Farlig skolevei")
    page.fill("#id_text", "Det mangler fortau, og barna går i veibanen hver morgen.")
    page.get_by_role("button", name="Send").click()

    receipt = page.locator(".receipt")
    receipt.wait_for()
    mine = Priority.all_objects.get(title="Farlig skolevei")
    assert mine.reference in receipt.inner_text()
    assert "30 dager" in receipt.inner_text()
    assert_accessible(axe, page)

    # Support a neighbour's priority.
    page.goto(page.base_url + neighbour_priority.get_absolute_url())
    page.get_by_role("button", name="Støtt dette").click()
    page.get_by_text("Takk for støtten").wait_for()
    assert page.locator("#support-count").inner_text() == "1"

    # A planner answers; the resident's page and e-mail show it.
    answer = "Tatt med i trafikksikkerhetsplanen for 2027."
    answer_as_planner(browser, page.base_url, mine, answer)
    run_jobs()

    page.goto(page.base_url + mine.get_absolute_url())
    history = page.locator(".history").inner_text()
    assert answer in history and "2026/1234" in history and "planlegger" in history
    assert_accessible(axe, page)
    notices = [m for m in mail.outbox if email in m.to and mine.reference in m.subject + m.body]
    assert any(answer in m.body for m in notices), [m.subject for m in notices]
    assert any(mine.reference in m.body and "Tatt med" not in m.body for m in notices), (
        "the receipt"
    )


def tab_to(page, selector, limit=80):
    """Press Tab until the element is focused, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate(
            "(s) => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_the_same_journey_with_the_keyboard_only(page, browser, axe):
    neighbour_priority = make_priority(
        UserFactory(), title="Benker ved stranda", at=(14.385, 67.283), category="lek-og-friluft"
    )
    resident = UserFactory(email="tastatur@example.no")
    log_in(page, resident.email)

    page.goto(page.base_url + "/")
    tab_to(page, "a[href$='/priorities/new/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/priorities/new/")
    # Coordinates are one of the "other ways to choose a place": open them with Enter.
    tab_to(page, "details.other-ways > summary")
    page.keyboard.press("Enter")
    tab_to(page, "#id_lat")
    page.keyboard.type("67.117")
    tab_to(page, "#id_lon")
    page.keyboard.type("15.0")
    tab_to(page, "#id_category")
    page.keyboard.press("ArrowDown")
    tab_to(page, "#id_title")
    page.keyboard.type("Trygg busstopp")
    tab_to(page, "#id_text")
    page.keyboard.type("Busstoppet har ikke lys, og det er mørkt om vinteren.")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_load_state()

    # A similar priority nearby? The keyboard user can send theirs anyway.
    if page.locator(".nearby").count():
        tab_to(page, "form.priority-form button[type=submit]")
        page.keyboard.press("Enter")
    page.locator(".receipt").wait_for()
    mine = Priority.all_objects.get(title="Trygg busstopp")

    page.goto(page.base_url + neighbour_priority.get_absolute_url())
    tab_to(page, "form[action$='/support/'] button")
    page.keyboard.press("Enter")
    page.get_by_text("Takk for støtten").wait_for()

    answer_as_planner(browser, page.base_url, mine, "Lys kommer i 2027.")
    page.goto(page.base_url + "/me/")
    tab_to(page, f"a[href='{mine.get_absolute_url()}']")
    page.keyboard.press("Enter")
    page.get_by_text("Lys kommer i 2027.").wait_for()
    assert_accessible(axe, page)


def test_account_pages_pass_axe(page, axe):
    for path in ("/accounts/login/", "/accounts/signup/"):
        page.goto(page.base_url + path)
        assert_accessible(axe, page)
