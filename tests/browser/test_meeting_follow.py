"""A participant at a workshop follows it from the meeting's page, keyboard only, in Nynorsk
on a phone (320 px wide, no horizontal scroll): Tab to the short form's link, Enter, type the
e-mail address, Enter; the confirmation link then comes by e-mail."""

from django.core import mail

from accounts.models import Role
from meetings.models import MeetingFollower
from tests.browser.conftest import assert_accessible, tab_to
from tests.conftest import run_jobs
from tests.meetings.factories import make_meeting
from tests.priorities.factories import staff

NARROW = {"width": 320, "height": 700}


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_a_participant_follows_a_meeting_by_keyboard_in_nynorsk(open_page, axe):
    meeting = make_meeting(staff(Role.PLANNER), title="Bylab om Storgata")
    page = open_page("nn", NARROW, phone=True)

    page.goto(page.base_url + meeting.get_absolute_url())
    page.wait_for_selector("#map[data-ready='true']")
    assert page.locator("svg.qr-code").count() == 1
    assert page.get_by_role("heading", name="Følg med på kva som skjer med innspela").count() == 1
    fits(page)
    assert_accessible(axe, page)

    tab_to(page, "el.classList.contains('follow-link')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/m/{meeting.short_code}/")
    tab_to(page, "el.name === 'email'")
    page.keyboard.type("deltakar@example.no")
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Sjå e-posten din").wait_for()
    fits(page)
    assert_accessible(axe, page)
    follower = MeetingFollower.objects.get(meeting=meeting)
    assert follower.email == "deltakar@example.no" and follower.language == "nn"
    run_jobs()
    (message,) = mail.outbox
    assert message.to == ["deltakar@example.no"]
    assert f"/m/{meeting.short_code}/confirm/" in message.body
