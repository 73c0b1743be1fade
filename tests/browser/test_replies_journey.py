"""A councillor replies to a priority and the resident answers back: keyboard only, in
Bokmål, at 320 px wide (no horizontal scroll), with the resident told by e-mail.

Nothing here clicks: focus moves with Tab, Enter sends a form."""

from django.core import mail

from accounts.models import Role, RoleGrant
from priorities.models import PriorityReply
from tests.browser.conftest import assert_accessible, log_in_by_keyboard, tab_to
from tests.conftest import run_jobs
from tests.priorities.factories import UserFactory, make_priority, staff

NARROW = {"width": 320, "height": 720}


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_a_councillor_replies_and_the_resident_answers_back_by_keyboard(open_page, axe):
    resident = UserFactory(email="innbygger-svar@example.no", language="nb")
    priority = make_priority(resident, title="Mørk undergang ved skolen")
    councillor = staff(Role.COUNCILLOR, email="folkevalgt-svar@bodo.kommune.no")
    RoleGrant.objects.filter(user=councillor).update(
        public_name="Ola Folkevalgt", party="Bygdelista", elected_body="Kommunestyret"
    )
    run_jobs()
    mail.outbox.clear()

    page = open_page("nb", NARROW)
    log_in_by_keyboard(page, councillor.email)
    page.goto(page.base_url + priority.get_absolute_url())
    fits(page)
    tab_to(page, "el.id === 'id_reply-text'")
    page.keyboard.type("Jeg tar dette opp i kommunestyret neste uke.")
    tab_to(
        page,
        "el.tagName === 'BUTTON' && el.textContent.trim() === 'Publiser svaret mitt som folkevalgt'",
    )
    page.keyboard.press("Enter")
    page.locator(".message.success").wait_for()
    reply = PriorityReply.objects.get(record=priority)
    assert reply.party == "Bygdelista" and reply.text.startswith("Jeg tar dette opp")
    own_view = page.locator(f"#reply-{reply.pk} .own-view")
    assert own_view.inner_text() == "Den folkevalgtes eget syn – ikke kommunens svar"
    assert (
        "Ola Folkevalgt, Bygdelista, Kommunestyret"
        in page.locator(f"#reply-{reply.pk}").inner_text()
    )
    fits(page)

    run_jobs()
    (told,) = [m for m in mail.outbox if resident.email in m.to]
    assert "En folkevalgt har svart" in told.subject and "ikke kommunens svar" in told.body

    page = open_page("nb", NARROW)
    log_in_by_keyboard(page, resident.email)
    page.goto(page.base_url + priority.get_absolute_url())
    tab_to(page, f"el.id === 'id_answer-{reply.pk}-text'")
    page.keyboard.type("Takk! Det gjelder særlig om kvelden.")
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Publiser svaret mitt'")
    page.keyboard.press("Enter")
    page.locator(".message.success").wait_for()
    (answer,) = PriorityReply.objects.filter(parent=reply)
    assert answer.text == "Takk! Det gjelder særlig om kvelden."
    assert "Takk! Det gjelder særlig om kvelden." in page.locator(f"#reply-{reply.pk}").inner_text()
    assert page.locator(f"#id_answer-{reply.pk}-text").count() == 0  # once only
    fits(page)
    assert_accessible(axe, page)
