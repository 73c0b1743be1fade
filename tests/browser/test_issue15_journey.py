"""Issue 15 end to end, in Chromium, keyboard only, in Bokmål and Nynorsk: a resident
follows an area the demo case affects; a planner opens a hearing on the demo case from the
case's work page; the follower gets one invitation e-mail in their language and finds the
hearing in the area's Atom feed; the resident answers; an organisation answers after the
deadline (the clock moves on two days) and is marked late; a councillor replies to the
resident's answer and the resident is told; the planner's summary by theme goes into the
frozen digest's PDF.

Nothing here clicks, and nothing posts a form by address: focus moves with Tab (and the
arrow keys in a radio group), Enter sends. Navigating to where a person starts (a link
from an e-mail, a page they know) is by address. On every page: axe finds no WCAG 2.1 AA
violation, no English is left (and on Nynorsk pages no Bokmål), and the resident's pages
fit 390 CSS px without horizontal scrolling; after every form, focus is on what the person
must read next (the message, the receipt or the error summary)."""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path

import feedparser
import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from pypdf import PdfReader

from accounts.models import Role, RoleGrant
from areas.models import Area
from cases.models import Case, FrozenDigest
from councils.models import Council, Submission
from follows.models import Follow
from hearings.models import Hearing, HearingAnswer, HearingAnswerReply, HearingTheme
from nabolaget.demo import demo_staff, load_demo_councils
from nabolaget.demo_activity import CASE_NUMBER, load_demo_activity
from priorities.models import Priority, PriorityStatusChange
from tests.browser.conftest import assert_accessible, log_in_by_keyboard, tab_to
from tests.browser.test_language_leftovers import ENGLISH, texts_people_meet
from tests.conftest import run_jobs
from tests.priorities.factories import UserFactory, staff

# A valid organisation number (mod 11), and the same with a wrong check digit.
ORGANISATION_NUMBER = "923 609 016"
WRONG_CHECK_DIGIT = "923 609 017"

# Words of Bokmål that Nynorsk does not have: function words, and the glossary's terms
# where the two differ (locale/GLOSSARY.md).
BOKMAL = re.compile(
    r"\b(ikke|hva|hvem|hvor|hvordan|hvis|noe|noen|fra|jeg|mye|hver|hvert|allerede|"
    r"vennligst|velg|disse|kommer|gjelder|bare|mer|ble|en|et|"
    r"innspill\w*|uttalelse\w*|innbygger\w*|planlegger\w*|folkevalgt\w*|sammendrag\w*|"
    r"høring\w*|mottatt|følger|lenke|bekreft\w*|deltaker\w*|skolekrets\w*)\b",
    re.IGNORECASE,
)

WORDS = {
    "nb": {
        "hearing_title": "Høring om trafikksikkerhetsplanen",
        "decision": "Kommunestyret vedtar trafikksikkerhetsplanen i mars. Si din mening før fristen.",
        "open_hearing": "Åpne en høring om saken",
        "open_button": "Åpne høringen",
        "opened": "Høringen er åpnet.",
        "follow_link": "Følg dette området",
        "follow_button": "Følg",
        "followed": "Nå følger du",
        "invitation_subject": "Nytt i et område du følger: ",
        "invitation_body": "Det er noe nytt i et område du følger i Nabolaget.",
        "send_answer": "Send høringssvaret",
        "resident_answer": "Skoleveien langs Rv80 trenger gangfelt og lavere fart ved skolen.",
        "organisation_answer": "Idrettslaget ønsker en trygg sykkelvei til banen langs Rv80.",
        "marked_late": "svart etter fristen",
        "receipt": "Takk: høringssvaret ditt er mottatt",
        "late": "Det kom etter fristen og er merket som for sent.",
        "check_digit": "Kontrollsifferet i dette organisasjonsnummeret er feil.",
        "reply": "Jeg tar dette opp i kommunestyret når planen behandles.",
        "reply_button": "Publiser svaret mitt som folkevalgt",
        "reply_subject": "En folkevalgt har svart på ",
        "reply_body": "ikke kommunens svar",
        "summary_link": "Skriv oppsummeringen etter tema",
        "theme_title": "Trygg skolevei",
        "theme_text": "Svarene ber om gangfelt og lavere fart langs Rv80.",
        "add_theme": "Legg til temaet",
        "summary_saved": "Oppsummeringen er lagret.",
        "freeze": "Frys sammendraget",
        "pdf_link": "Last ned PDF (versjon 1)",
    },
    "nn": {
        "hearing_title": "Høyring om trafikktryggleiksplanen",
        "decision": "Kommunestyret vedtek trafikktryggleiksplanen i mars. Sei kva du meiner før fristen.",
        "open_hearing": "Opne ei høyring om saka",
        "open_button": "Opne høyringa",
        "opened": "Høyringa er opna.",
        "follow_link": "Følg dette området",
        "follow_button": "Følg",
        "followed": "No følgjer du",
        "invitation_subject": "Nytt i eit område du følgjer: ",
        "invitation_body": "Det er noko nytt i eit område du følgjer i Nabolaget.",
        "send_answer": "Send høyringssvaret",
        "resident_answer": "Skulevegen langs Rv80 treng gangfelt og lågare fart ved skulen.",
        "organisation_answer": "Idrettslaget ønskjer ein trygg sykkelveg til banen langs Rv80.",
        "marked_late": "svara etter fristen",
        "receipt": "Takk: høyringssvaret ditt er motteke",
        "late": "Det kom etter fristen og er merkt som for seint.",
        "check_digit": "Kontrollsifferet i dette organisasjonsnummeret er feil.",
        "reply": "Eg tek dette opp i kommunestyret når planen vert handsama.",
        "reply_button": "Publiser svaret mitt som folkevald",
        "reply_subject": "Ein folkevald har svart på ",
        "reply_body": "ikkje svaret frå kommunen",
        "summary_link": "Skriv oppsummeringa etter tema",
        "theme_title": "Trygg skuleveg",
        "theme_text": "Svara ber om gangfelt og lågare fart langs Rv80.",
        "add_theme": "Legg til temaet",
        "summary_saved": "Oppsummeringa er lagra.",
        "freeze": "Frys samandraget",
        "pdf_link": "Last ned PDF (versjon 1)",
    },
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def demo_case():
    """The demo municipality's case (``make run``'s year of activity: the traffic safety
    plan along Rv80), with the background work of that year done, as the worker would."""
    load_demo_councils()
    load_demo_activity(staff=demo_staff())
    run_jobs()
    mail.outbox.clear()
    return Case.objects.get(municipality__code="1804", number=CASE_NUMBER)


# --- what is checked on every page ---------------------------------------------------------


def record_texts() -> list[str]:
    """What people wrote (or the demo wrote for them), which is in the language it was
    written in, whatever the page's: left out of the check for Bokmål on Nynorsk pages."""
    texts = [
        *Case.objects.values_list("title", flat=True),
        *Case.objects.values_list("summary", flat=True),
        *Priority.all_objects.values_list("title", flat=True),
        *Priority.all_objects.values_list("text", flat=True),
        *PriorityStatusChange.objects.values_list("public_text", flat=True),
        *Submission.objects.values_list("title", flat=True),
        *Submission.objects.values_list("text", flat=True),
        *Hearing.objects.values_list("title", flat=True),
        *Hearing.objects.values_list("decision", flat=True),
        *Hearing.objects.values_list("questions", flat=True),
        *Council.objects.values_list("name", flat=True),
        *Area.objects.values_list("name", flat=True),
    ]
    return sorted({text for text in texts if text}, key=len, reverse=True)


def check_page(page, axe, language: str, *, phone: bool = False) -> None:
    """axe, the page's language, and (for the resident's pages) no horizontal scroll."""
    if page.locator("#map").count():
        page.wait_for_selector("#map[data-ready='true']")
    text = texts_people_meet(page)
    found = ENGLISH.findall(text)
    assert not found, f"English on {page.url} ({language}): {found}"
    if language == "nn":
        for written in record_texts():
            text = text.replace(written, " ")
        found = BOKMAL.findall(text)
        assert not found, f"Bokmål on the Nynorsk page {page.url}: {found}"
    if phone:
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            f"horizontal scroll at {page.viewport_size['width']} px on {page.url}"
        )
    assert_accessible(axe, page)


def focus_is_on(page, selector: str) -> None:
    """Focus is on (or inside) what the person must read next."""
    try:
        page.wait_for_function(
            "selector => !!document.activeElement && !!document.activeElement.closest(selector)",
            arg=selector,
            timeout=5_000,
        )
    except PlaywrightTimeout:
        active = page.evaluate("document.activeElement && document.activeElement.outerHTML")
        raise AssertionError(f"Focus is not on {selector} at {page.url} but on {active}") from None


def press_button(page, text: str, limit: int = 400) -> None:
    """Tab to the button that says ``text`` and press Enter."""
    tab_to(page, f"el.tagName === 'BUTTON' && el.textContent.trim() === {text!r}", limit)
    page.keyboard.press("Enter")


def type_into(page, predicate: str, text: str, *, replace: bool = False) -> None:
    tab_to(page, predicate)
    if replace:
        page.keyboard.press("Control+A")
        page.keyboard.press("Delete")
    page.keyboard.type(text)


def type_date(page, field_id: str, day: datetime.date) -> None:
    """A date typed into Chromium's date field in the order it shows its parts: day, month
    and year, as in Norwegian, or (a browser whose own language is American English)
    month, day and year; Shift+Tab goes back through the parts."""
    tab_to(page, f"el.id === {field_id!r}")
    page.keyboard.type(f"{day:%d%m%Y}")
    value = page.eval_on_selector(f"#{field_id}", "el => el.value")
    if value != day.isoformat():
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        page.keyboard.type(f"{day:%m%d%Y}")
        value = page.eval_on_selector(f"#{field_id}", "el => el.value")
    assert value == day.isoformat()


def one_mail_to(email: str, language: str):
    """The one e-mail to this address, in ``language``: no English left in it, and in a
    Nynorsk one no Bokmål (what people wrote aside)."""
    (message,) = [m for m in mail.outbox if email in m.to]
    text = f"{message.subject}\n{message.body}"
    assert not ENGLISH.findall(text), text
    if language == "nn":
        for written in record_texts():
            text = text.replace(written, " ")
        assert not BOKMAL.findall(text), text
    return message


def link_in(body: str, path_start: str) -> str:
    return next(word for word in body.split() if path_start in word and word.startswith("http"))


# --- the journey ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_issue_15_end_to_end(open_page, axe, browser, live_server, demo_case, language):
    words = WORDS[language]
    case = demo_case
    area = case.areas.filter(type__slug="skolekrets").order_by("name").first()
    resident = UserFactory(email=f"innbyggjar-{language}@example.no", language=language)
    organisation = UserFactory(email=f"post-{language}@idrettslag.example.no", language=language)
    planner = staff(Role.PLANNER, email=f"planlegger-{language}@bodo.kommune.no", language=language)
    councillor = staff(
        Role.COUNCILLOR, email=f"folkevald-{language}@bodo.kommune.no", language=language
    )
    RoleGrant.objects.filter(user=councillor).update(
        public_name="Ola Folkevald", party="Bygdelista", elected_body="Kommunestyret"
    )

    # 1. The resident, on a phone, follows an area the case affects, from the area's page.
    home = open_page(language, phone=True)
    log_in_by_keyboard(home, resident.email)
    home.goto(home.base_url + area.get_absolute_url())
    check_page(home, axe, language, phone=True)
    tab_to(home, f"el.getAttribute('href') === '/me/follows/new/?area={area.pk}'")
    assert home.evaluate("document.activeElement.textContent.trim()") == words["follow_link"]
    home.keyboard.press("Enter")
    home.wait_for_url("**/me/follows/new/**")
    check_page(home, axe, language, phone=True)
    press_button(home, words["follow_button"])
    home.wait_for_url("**/me/follows/")
    focus_is_on(home, ".messages")
    assert words["followed"] in home.locator(".messages").inner_text()
    check_page(home, axe, language, phone=True)
    follow = Follow.objects.get(user=resident)
    assert follow.area_id == area.pk and "hearing" in follow.topics

    # 2. The planner opens a hearing on the demo case from the case's work page, with the
    # deadline today.
    desk = open_page(language)
    log_in_by_keyboard(desk, planner.email)
    desk.goto(desk.base_url + f"/cases/{case.pk}/work/")
    check_page(desk, axe, language)
    tab_to(desk, f"el.getAttribute('href') === '/cases/{case.pk}/hearings/new/'")
    assert desk.evaluate("document.activeElement.textContent.trim()") == words["open_hearing"]
    desk.keyboard.press("Enter")
    desk.wait_for_url(f"**/cases/{case.pk}/hearings/new/")
    check_page(desk, axe, language)
    today = timezone.localdate()
    type_into(desk, "el.id === 'id_title'", words["hearing_title"], replace=True)
    type_into(desk, "el.id === 'id_decision'", words["decision"], replace=True)
    type_date(desk, "id_opens_on", today)
    type_date(desk, "id_closes_on", today)
    press_button(desk, words["open_button"])
    desk.wait_for_url("**/hearings/*/")
    focus_is_on(desk, ".messages")
    assert words["opened"] in desk.locator(".messages").inner_text()
    hearing = Hearing.objects.exclude(consultation__isnull=False).get(case=case)
    assert hearing.title == words["hearing_title"]
    assert (hearing.opens_on, hearing.closes_on) == (today, today)
    check_page(desk, axe, language)

    # 3. The follower gets one invitation, in their language, and the area's Atom feed
    # lists the hearing.
    run_jobs()
    invitation = one_mail_to(resident.email, language)
    assert invitation.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert invitation.subject.endswith(words["invitation_subject"] + hearing.title)
    assert words["invitation_body"] in invitation.body
    hearing_link = link_in(invitation.body, hearing.get_absolute_url())
    assert hearing_link == live_server.url + hearing.get_absolute_url()
    home.goto(home.base_url + area.get_absolute_url())
    feed_href = home.get_attribute("main a[href$='/feed.atom']", "href")
    response = home.request.get(home.base_url + feed_href)
    assert response.ok and response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.body())
    assert not feed.bozo, feed.get("bozo_exception")
    entry = next(e for e in feed.entries if e.link == live_server.url + hearing.get_absolute_url())
    assert entry.title == hearing.title and entry.tags[0].term == "hearing"
    assert feed.feed.language == language

    # 4a. The resident follows the e-mail's link and answers before the deadline.
    mail.outbox.clear()
    home.goto(hearing_link)
    check_page(home, axe, language, phone=True)
    type_into(home, "el.id === 'id_signed_name'", "Kari Nordmann")
    type_into(home, "el.id === 'id_text'", words["resident_answer"])
    press_button(home, words["send_answer"])
    home.locator(".receipt").wait_for()
    focus_is_on(home, ".receipt")
    resident_answer = HearingAnswer.all_objects.get(author=resident)
    receipt = home.locator(".receipt").inner_text()
    assert words["receipt"] in receipt and resident_answer.reference in receipt
    assert words["late"] not in receipt and not resident_answer.late
    check_page(home, axe, language, phone=True)

    # The deadline passes: two days later.
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2), tick=True):
        assert timezone.localdate() > hearing.closes_on

        # 4b. An organisation answers late: first with an organisation number whose
        # check digit is wrong (refused, nothing written), then with the right one.
        org = open_page(language)
        log_in_by_keyboard(org, organisation.email)
        org.goto(org.base_url + hearing.get_absolute_url())
        check_page(org, axe, language)
        tab_to(org, "el.name === 'respondent'")
        org.keyboard.press("ArrowDown")
        assert org.evaluate("document.activeElement.value") == "organisation"
        type_into(org, "el.id === 'id_organisation_name'", "Bodø Idrettslag")
        type_into(org, "el.id === 'id_organisation_number'", WRONG_CHECK_DIGIT)
        type_into(org, "el.id === 'id_contact_person'", "Per Hansen")
        type_into(org, "el.id === 'id_text'", words["organisation_answer"])
        press_button(org, words["send_answer"])
        org.wait_for_url(f"**/hearings/{hearing.pk}/answer/")
        focus_is_on(org, "[data-error-summary]")
        assert words["check_digit"] in org.locator("[data-error-summary]").inner_text()
        assert not HearingAnswer.all_objects.filter(author=organisation).exists()
        check_page(org, axe, language)
        # The summary's link leads to the field.
        summary = org.locator("[data-error-summary]").inner_text()
        # The summary's script moves focus to the field; it runs once the page has loaded
        # (a person cannot press Enter on the link before, a test can).
        org.wait_for_load_state("load")
        tab_to(org, "el.closest('[data-error-summary]') && el.hash === '#id_organisation_number'")
        org.keyboard.press("Enter")
        focus_is_on(org, "#id_organisation_number")
        assert summary.count("\n") <= 2, summary  # the heading and this one error
        org.keyboard.press("Control+A")
        org.keyboard.type(ORGANISATION_NUMBER)
        press_button(org, words["send_answer"])
        org.locator(".receipt").wait_for()
        focus_is_on(org, ".receipt")
        late_answer = HearingAnswer.all_objects.get(author=organisation)
        assert late_answer.late and late_answer.organisation_number == "923609016"
        assert words["late"] in org.locator(".receipt").inner_text()
        check_page(org, axe, language)

        # 5. A councillor replies to the resident's answer on the answer's page; the
        # resident is told by e-mail, in their language, and reads it on a phone.
        run_jobs()
        mail.outbox.clear()
        council_page = open_page(language)
        log_in_by_keyboard(council_page, councillor.email)
        council_page.goto(council_page.base_url + resident_answer.get_absolute_url())
        check_page(council_page, axe, language)
        type_into(council_page, "el.id === 'id_reply-text'", words["reply"])
        press_button(council_page, words["reply_button"])
        council_page.locator(".messages").wait_for()
        focus_is_on(council_page, ".messages")
        reply = HearingAnswerReply.objects.get(record=resident_answer)
        assert reply.text == words["reply"] and reply.party == "Bygdelista"
        assert words["reply"] in council_page.locator(f"#reply-{reply.pk}").inner_text()
        check_page(council_page, axe, language)

        run_jobs()
        told = one_mail_to(resident.email, language)
        assert told.subject.startswith(words["reply_subject"] + resident_answer.reference)
        assert words["reply"] in told.body and words["reply_body"] in told.body
        reader = open_page(language, phone=True)
        log_in_by_keyboard(reader, resident.email)
        reader.goto(link_in(told.body, resident_answer.get_absolute_url()))
        assert words["reply"] in reader.locator(f"#reply-{reply.pk}").inner_text()
        check_page(reader, axe, language, phone=True)

        # 6. The planner writes a theme covering both answers, freezes the case's digest,
        # and the digest's PDF has the summary in it.
        work = open_page(language)
        log_in_by_keyboard(work, planner.email)
        work.goto(work.base_url + hearing.get_absolute_url())
        cards = work.locator(".card")
        assert words["marked_late"] in cards.filter(has_text=late_answer.reference).inner_text()
        assert (
            words["marked_late"]
            not in cards.filter(has_text=resident_answer.reference).inner_text()
        )
        check_page(work, axe, language)
        tab_to(work, f"el.getAttribute('href') === '/hearings/{hearing.pk}/summary/'")
        assert work.evaluate("document.activeElement.textContent.trim()") == words["summary_link"]
        work.keyboard.press("Enter")
        work.wait_for_url(f"**/hearings/{hearing.pk}/summary/")
        check_page(work, axe, language)
        type_into(work, "el.id === 'id_new-title'", words["theme_title"])
        type_into(work, "el.id === 'id_new-text'", words["theme_text"])
        type_into(
            work,
            "el.id === 'id_new-references'",
            f"{resident_answer.reference}, {late_answer.reference}",
        )
        press_button(work, words["add_theme"])
        work.locator(".messages").wait_for()
        focus_is_on(work, ".messages")
        assert words["summary_saved"] in work.locator(".messages").inner_text()
        theme = HearingTheme.objects.get(hearing=hearing)
        assert set(theme.answers.all()) == {resident_answer, late_answer}
        check_page(work, axe, language)

        work.goto(work.base_url + f"/cases/{case.pk}/work/")
        press_button(work, words["freeze"])
        work.wait_for_url(f"**/cases/{case.pk}/")
        focus_is_on(work, ".messages")
        frozen = FrozenDigest.objects.get(case=case)
        assert words["theme_text"] in frozen.html
        # The demo case's digest has fewer rows than cases.services.BACKGROUND_PDF_ROWS:
        # its PDF is made with it, in the request (larger ones by the worker's job).
        assert FrozenDigest.objects.filter(pk=frozen.pk, pdf__isnull=False).exists()
        check_page(work, axe, language)
        tab_to(work, f"el.getAttribute('href') === '/cases/{case.pk}/digests/1/pdf/'")
        assert work.evaluate("document.activeElement.textContent.trim()") == words["pdf_link"]
        with work.expect_download() as download:
            work.keyboard.press("Enter")
        pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
        text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
        assert words["theme_title"] in text and words["theme_text"] in text, text[:2000]
