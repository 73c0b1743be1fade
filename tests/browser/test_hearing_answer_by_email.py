"""A resident who is not logged in answers a hearing from its page, keyboard only, in Nynorsk
on a phone (320 px wide, no horizontal scroll): name, e-mail address, the answer, Enter;
then opens the link that came by e-mail, presses the button, and sees the receipt."""

import re

from django.core import mail

from hearings.models import HearingAnswer, UnconfirmedAnswer
from tests.browser.conftest import assert_accessible, tab_to
from tests.conftest import run_jobs
from tests.hearings.factories import ANSWER_TEXT, make_hearing

NARROW = {"width": 320, "height": 700}


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_a_resident_answers_without_an_account_and_confirms_by_keyboard_in_nynorsk(open_page, axe):
    hearing = make_hearing()
    page = open_page("nn", NARROW, phone=True)

    page.goto(page.base_url + hearing.get_absolute_url())
    fits(page)
    tab_to(page, "el.name === 'signed_name'")
    page.keyboard.type("Kari Nordmann")
    tab_to(page, "el.name === 'email'")
    page.keyboard.type("kari@example.no")
    tab_to(page, "el.name === 'text'")
    page.keyboard.type(ANSWER_TEXT)
    tab_to(page, "el.type === 'submit' && el.form && el.form.action.includes('/answer/')")
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Stadfest svaret ditt").wait_for()
    assert "kari@example.no" in page.content()
    fits(page)
    assert_accessible(axe, page)
    assert UnconfirmedAnswer.objects.get().language == "nn"
    assert not HearingAnswer.all_objects.exists()

    run_jobs()
    (message,) = mail.outbox
    (link,) = re.findall(r"https?://\S+/answer/confirm/\S+/", message.body)
    page.goto(link)
    fits(page)
    tab_to(page, "el.type === 'submit' && el.closest('main')")
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Takk: høyringssvaret ditt er motteke").wait_for()
    given = HearingAnswer.all_objects.get()
    assert given.reference in page.content()
    fits(page)
    assert_accessible(axe, page)
