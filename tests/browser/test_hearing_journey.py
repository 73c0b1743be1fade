"""A resident answers a hearing in Bokmål with the keyboard alone and sees the receipt."""

import pytest

from accounts.models import Role
from hearings.models import HearingAnswer
from tests.browser.conftest import assert_accessible, log_in_by_keyboard, tab_to
from tests.hearings.factories import make_hearing
from tests.priorities.factories import UserFactory, staff


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_resident_answers_a_hearing_by_keyboard_and_sees_the_receipt(open_page, axe):
    hearing = make_hearing(staff(Role.PLANNER), title="Høring om trafikksikkerhetsplanen")
    resident = UserFactory(email="kari@example.no")
    page = open_page("nb")

    log_in_by_keyboard(page, resident.email)
    page.goto(page.base_url + hearing.get_absolute_url())
    page.wait_for_selector("#map[data-ready='true']")
    assert_accessible(axe, page)
    tab_to(page, "el.id === 'id_signed_name'")
    page.keyboard.type("Kari Nordmann")
    tab_to(page, "el.id === 'id_text'")
    page.keyboard.type("Skoleveien langs Rv80 trenger gangfelt og lavere fart.")
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Send høringssvaret'")
    page.keyboard.press("Enter")

    page.locator(".receipt").wait_for()
    answer = HearingAnswer.all_objects.get()
    receipt = page.locator(".receipt").inner_text()
    assert answer.reference in receipt and "kvittering" in receipt
    assert answer.hearing == hearing and not answer.late
    assert_accessible(axe, page)
