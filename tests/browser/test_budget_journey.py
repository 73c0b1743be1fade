"""Issue 17's "Done when", in a real browser, in Bokmål and Nynorsk: a planner imports the
demo's illustrative Bodø budget through the page and opens a budget round; an association
(with the keyboard alone) and a resident give input; the administration answers both at
once; the people who gave input hear back by e-mail in their language; a councillor reads
it all, per sector, in the budget case's frozen digest (and its PDF)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Role
from areas.models import Municipality
from budgets.models import Budget, BudgetInput, BudgetRound
from cases.models import FrozenDigest
from nabolaget.demo import BUDGET_PROPOSAL
from tests.browser.conftest import assert_accessible, log_in_by_keyboard, tab_to
from tests.browser.test_budget_round import focus_is_on, type_into
from tests.budgets.round_factories import VALID_ORGNR
from tests.cases.factories import make_case
from tests.conftest import run_jobs
from tests.priorities.factories import UserFactory, staff

WORDS = {
    "nb": {
        "create_budget": "Opprett et budsjett i saken",
        "open_round": "Åpne en budsjettrunde",
        "open_round_button": "Åpne runden",
        "give_input": "Gi innspill til budsjettet",
        "send": "Send innspillet",
        "receipt": "Takk: innspillet ditt er mottatt",
        "answer": "Svar på innspillene",
        "save": "Lagre og varsle",
        "freeze": "Frys sammendraget",
        "included": "Tatt med i forslaget",
        "partly": "Delvis tatt med i forslaget",
        "mail_title": "mer penger",
        "yours": "budsjettinnspillet ditt",
        "section": "Budsjettrunde: Innspill til budsjett 2027",
    },
    "nn": {
        "create_budget": "Opprett eit budsjett i saka",
        "open_round": "Opne ein budsjettrunde",
        "open_round_button": "Opne runden",
        "give_input": "Gje innspel til budsjettet",
        "send": "Send innspelet",
        "receipt": "Takk: innspelet ditt er motteke",
        "answer": "Svar på innspela",
        "save": "Lagre og varsle",
        "freeze": "Frys samandraget",
        "included": "Teke med i forslaget",
        "partly": "Delvis teke med i forslaget",
        "mail_title": "meir pengar",
        "yours": "budsjettinnspelet ditt",
        "section": "Budsjettrunde: Innspill til budsjett 2027",
    },
}


def press_button(page, text: str) -> None:
    tab_to(page, f"el.tagName === 'BUTTON' && el.textContent.trim() === {text!r}", 400)
    page.keyboard.press("Enter")


def follow_link(page, text: str) -> None:
    tab_to(page, f"el.tagName === 'A' && el.textContent.trim() === {text!r}", 400)
    page.keyboard.press("Enter")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_budget_input_from_import_to_the_councillors_frozen_digest(open_page, axe, language):
    words = WORDS[language]
    Municipality.objects.filter(code="1804").update(population=53_000)
    planner = staff(Role.PLANNER, email=f"planlegger-{language}@example.no", language=language)
    councillor = staff(Role.COUNCILLOR, email=f"folkevalgt-{language}@example.no")
    association = UserFactory(email=f"idrettsrad-{language}@example.no", language=language)
    resident = UserFactory(email=f"kari-{language}@example.no", language="nb")
    case = make_case(planner, number="2026/1800", title="Budsjett 2027 og økonomiplan")

    # 1. The planner creates a budget on the case and imports the demo's proposal.
    desk = open_page(language)
    log_in_by_keyboard(desk, planner.email)
    desk.goto(desk.base_url + f"/cases/{case.pk}/work/")
    follow_link(desk, words["create_budget"])
    desk.wait_for_url("**/budgets/new/")
    tab_to(desk, "el.id === 'id_first_year'")
    desk.keyboard.type("2027")
    tab_to(desk, "el.tagName === 'BUTTON' && el.closest('form.priority-form')")
    desk.keyboard.press("Enter")
    desk.wait_for_url("**/import/")
    budget = Budget.objects.get(case=case)
    tab_to(desk, "el.type === 'radio' && el.name === 'stage'")
    desk.keyboard.press("Space")
    desk.set_input_files("#id_file", str(BUDGET_PROPOSAL))
    tab_to(desk, "el.tagName === 'BUTTON' && el.closest('form.priority-form')")
    desk.keyboard.press("Enter")
    desk.wait_for_url(f"**/budgets/{budget.pk}/versions/**")
    assert budget.versions.count() == 1

    # 2. It opens a round from the budget's page, input closing before the proposal.
    follow_link(desk, words["open_round"])
    desk.wait_for_url(f"**/budgets/{budget.pk}/rounds/new/")
    today = timezone.localdate()
    desk.fill("#id_title", "Innspill til budsjett 2027")
    desk.fill("#id_description", "Si hva som bør prioriteres før kommunedirektørens forslag.")
    desk.fill("#id_opens_on", today.isoformat())
    desk.fill("#id_closes_on", (today + datetime.timedelta(days=14)).isoformat())
    desk.fill("#id_proposal_on", (today + datetime.timedelta(days=30)).isoformat())
    press_button(desk, words["open_round_button"])
    desk.wait_for_url("**/budget-rounds/*/")
    budget_round = BudgetRound.objects.get(budget=budget)
    assert desk.url.endswith(budget_round.get_absolute_url())
    assert_accessible(axe, desk)

    # 3. An association gives input with the keyboard alone: a new measure with its cost.
    org = open_page(language)
    log_in_by_keyboard(org, association.email)
    org.goto(org.base_url + budget_round.get_absolute_url())
    follow_link(org, words["give_input"])
    org.wait_for_url("**/input/new/")
    tab_to(org, "el.name === 'filed_as'")
    org.keyboard.press("ArrowDown")
    type_into(org, "el.id === 'id_organisation_name'", "Bodø idrettsråd")
    type_into(org, "el.id === 'id_organisation_number'", VALID_ORGNR)
    type_into(org, "el.id === 'id_members'", "4 200")
    tab_to(org, "el.id === 'id_sector'")
    org.keyboard.press("ArrowDown")
    tab_to(org, "el.name === 'proposal'")
    for _ in range(4):  # to "a new measure", the last choice
        org.keyboard.press("ArrowDown")
    assert org.evaluate("document.activeElement.value") == "new_measure"
    type_into(org, "el.id === 'id_measure_title'", "Ny kunstgressbane på Hunstad")
    type_into(org, "el.id === 'id_amount'", "4 500 000")
    type_into(org, "el.id === 'id_reason'", "Over 300 barn trener ute hele vinteren uten bane.")
    press_button(org, words["send"])
    org.locator(".receipt").wait_for()
    focus_is_on(org, ".receipt")
    measure = BudgetInput.all_objects.get(author=association)
    assert words["receipt"] in org.locator(".receipt").inner_text()
    assert measure.members == 4200 and str(measure.amount) == "4500000.00"

    # 4. A resident asks for more money for a line of the same sector (on a phone).
    home = open_page(language, {"width": 390, "height": 844})
    log_in_by_keyboard(home, resident.email)
    home.goto(home.base_url + f"{budget_round.get_absolute_url()}input/new/")
    home.check("#id_filed_as_0")
    home.select_option("#id_sector", str(measure.sector_id))
    home.check("input[name='proposal'][value='more']")
    home.fill("#id_amount", "1 234,50")
    home.fill("#id_reason", "Skolene trenger flere lærere i småtrinnet.")
    home.locator("form.priority-form button[type='submit']").click()
    home.locator(".receipt").wait_for()
    more = BudgetInput.all_objects.get(author=resident)
    assert str(more.amount) == "1234.50"
    assert no_horizontal_scroll(home)

    # 5. The administration answers both at once; the people who gave input hear back.
    run_jobs()
    mail.outbox.clear()
    desk.goto(desk.base_url + budget_round.get_absolute_url())
    follow_link(desk, words["answer"])
    desk.wait_for_url("**/answers/")
    desk.check(f"#record-{measure.pk}")
    desk.check(f"#record-{more.pk}")
    desk.check("input[name='outcome'][value='partly']")
    desk.fill("#id_public_text", "Forslaget har banen i 2028 og én ny lærerstilling i 2027.")
    with desk.expect_navigation():
        press_button(desk, words["save"])
    assert {record.outcome for record in BudgetInput.all_objects.all()} == {"partly"}
    run_jobs()
    by_address = {message.to[0]: message.body for message in mail.outbox}
    assert words["yours"] in by_address[association.email]
    assert "mer penger" in by_address[resident.email]  # her language is Bokmål
    assert "én ny lærerstilling" in by_address[association.email]

    # 6. The planner freezes the case's digest; a councillor reads it on the case's page.
    desk.goto(desk.base_url + f"/cases/{case.pk}/work/")
    with desk.expect_navigation():
        press_button(desk, words["freeze"])
    frozen = FrozenDigest.objects.get(case=case)
    section = next(s for s in frozen.data["sections"] if s["key"] == "budget_rounds")["data"]
    (round_data,) = section["rounds"]
    assert round_data["inputs"] == 2 and round_data["answered"] == 2

    council = open_page(language)
    log_in_by_keyboard(council, councillor.email)
    council.goto(council.base_url + case.get_absolute_url())
    digest = council.locator(".frozen-digest").inner_text()
    assert words["section"] in digest
    assert "Ny kunstgressbane på Hunstad" in digest and measure.reference in digest
    assert words["partly"] in digest and "én ny lærerstilling" in digest
    assert "Bodø idrettsråd" in digest
    assert no_horizontal_scroll(council)
    assert_accessible(axe, council)
    run_jobs()  # a large digest's PDF is made in the background
    frozen.refresh_from_db()
    with frozen.pdf.file.open("rb") as handle:
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    assert measure.reference in text and more.reference in text
