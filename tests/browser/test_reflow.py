"""Reflow (WCAG 1.4.10): every page fits a 320 CSS px wide window without horizontal
scrolling, in Bokmål and Nynorsk, for every role, with no console or page errors.

A wide table may scroll inside its own region; the page itself may not."""

import pytest

from accounts.models import Role
from areas.models import Area
from cases.services import digest_freeze
from hearings import services as hearing_services
from tests.accounts.factories import RoleGrantFactory
from tests.areas.factories import CouncilFactory, CouncilMembershipFactory
from tests.browser.conftest import assert_accessible
from tests.browser.test_resident_journey import log_in
from tests.cases.factories import ConsultationFactory, make_case
from tests.hearings.factories import answer as hearing_answer
from tests.hearings.factories import make_hearing
from tests.priorities.factories import (
    ExportFactory,
    ReportFactory,
    StatusChangeFactory,
    SubmissionFactory,
    UserFactory,
    make_priority,
    staff,
)

NARROW = {"width": 320, "height": 640}

# What each role opens; {names} are filled in from the data made below.
PAGES = {
    "anonymous": [
        "/",
        "/kommune/1804/",
        "/areas/{area}/",
        "/areas/{area}/priorities/",
        "/areas/{area}/answered/",
        "/areas/{area}/digest/",
        "/priorities/{priority}/",
        "/councils/",
        "/councils/{council}/",
        "/submissions/{submission}/",
        "/consultations/{consultation}/",
        "/cases/{case}/",
        "/cases/{case}/digest/",
        "/cases/{case}/digests/1/",
        "/hearings/{hearing}/",
        "/hearings/{hearing}/answers/",
        "/hearings/{hearing}/summary/",
        "/hearing-answers/{hearing_answer}/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
    ],
    "resident": [
        "/",
        "/priorities/new/",
        "/me/",
        "/me/privacy/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/priorities/{priority}/",
        "/areas/{area}/priorities/",
    ],
    "staff": [
        "/",
        "/priorities/new/",
        "/me/",
        "/planner/",
        "/planner/?area={area}&answered=false",
        "/planner/exports/{export}/",
        "/moderation/",
        "/priorities/{priority}/",
        "/cases/",
        "/cases/new/",
        "/cases/{case}/",
        "/cases/{case}/digest/",
        "/cases/{case}/digests/1/",
        "/cases/{case}/consultations/new/",
        "/cases/{case}/hearings/new/",
        "/hearings/{hearing}/summary/",
        "/hearing-answers/{hearing_answer}/",
        "/consultations/{consultation}/",
        "/areas/{area}/digest/",
        "/councils/{council}/",
        "/councils/{council}/file/",
        "/submissions/{submission}/",
    ],
}


def _data() -> dict:
    """A resident's answered and reported priority, a case with a frozen digest and a
    consultation, a council with a statement, and one account holding every staff role
    (the longest menu) that is also the council's secretary."""
    resident = UserFactory(email="innbygger.smal@example.no")
    official = staff(Role.PLANNER, email="alle.roller@bodo.kommune.no")
    for role in (Role.MODERATOR, Role.COUNCILLOR):
        RoleGrantFactory(user=official, role=role, municipality__code="1804")
    council = CouncilFactory(name="Ungdomsrådet i Bodø")
    CouncilMembershipFactory(council=council, user=official, secretary=True)
    priority = make_priority(resident, title="Trygg skolevei over Sjøgata")
    for n in range(3):
        make_priority(resident, title=f"Fortau mangler langs vegen {n}")
    StatusChangeFactory(priority=priority, actor=official, case_number="2026/4321")
    ReportFactory(priority=make_priority(title="Reklame for bilvask"))
    case = make_case(official, number="2026/4321")
    digest_freeze(actor=official, case=case)
    submission = SubmissionFactory(council=council, title="Uttalelse om skolevegen")
    hearing = make_hearing(official, case=case, title="Høring om trafikksikkerhetsplanen")
    answer = hearing_answer(resident, hearing, signed_name="Kari Smal")
    hearing_services.theme_save(
        actor=official,
        hearing=hearing,
        title="Skolevegen",
        text="Mange ber om gangfelt ved skolen.",
        references=[answer.reference],
    )
    return {
        "users": {"resident": resident.email, "staff": official.email},
        "area": Area.objects.current().get(code="1804-SK01").pk,
        "priority": priority.pk,
        "council": council.pk,
        "submission": submission.pk,
        "consultation": ConsultationFactory(case=case, councils=[council]).pk,
        "case": case.pk,
        "export": ExportFactory(user=official).pk,
        "hearing": hearing.pk,
        "hearing_answer": answer.pk,
    }


def overflow(page) -> dict | None:
    """How far the page is wider than the window, and the widest elements sticking out."""
    return page.evaluate(
        """() => {
          const width = window.innerWidth;
          const scroll = document.documentElement.scrollWidth;
          if (scroll <= width) return null;
          const out = [...document.querySelectorAll("body *")]
            .filter((e) => e.getBoundingClientRect().right > width + 0.5)
            .filter((e) => !e.closest(".table-scroll, [role=region][tabindex='0']") || e.matches(".table-scroll"))
            .slice(0, 6)
            .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\\s+/).join(".") : ""} (${Math.round(e.getBoundingClientRect().right)})`);
          return { scroll, width, out };
        }"""
    )


@pytest.mark.parametrize("role", ["anonymous", "resident", "staff"])
@pytest.mark.parametrize("language", ["nb", "nn"])
def test_every_page_fits_320_px_without_errors(browser, live_server, demo_live, role, language):
    """Every page a role opens fits 320 CSS px (scrollWidth <= innerWidth) and logs no console
    error and no uncaught exception."""
    data = _data()
    context = browser.new_context(locale=f"{language}-NO", viewport=NARROW)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    errors = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on(
        "console",
        lambda message: message.type == "error" and errors.append(f"{page.url}: {message.text}"),
    )
    try:
        if role != "anonymous":
            log_in(page, data["users"][role])
        failures = []
        for path in PAGES[role]:
            url = live_server.url + path.format(**data)
            response = page.goto(url, wait_until="networkidle")
            assert response.status == 200, f"{path}: {response.status}"
            assert page.locator("html").get_attribute("lang") == language, path
            wide = overflow(page)
            if wide:
                failures.append(f"{path}: {wide['scroll']} px > {wide['width']}: {wide['out']}")
        assert not failures, "Pages wider than 320 px:\n" + "\n".join(failures)
        assert not errors, "Console or page errors:\n" + "\n".join(errors)
    finally:
        context.close()


def test_the_pages_with_scrolling_tables_pass_axe_at_320_px(browser, live_server, demo_live, axe):
    """The case list, the case page, the digests and the planner, with their tables in
    scrolling regions, keep axe-core clean (WCAG 2.1 A/AA) at 320 px; each region scrolls
    by itself, is named and takes the keyboard focus."""
    data = _data()
    context = browser.new_context(locale="nb-NO", viewport=NARROW)
    page = context.new_page()
    page.base_url = live_server.url
    try:
        log_in(page, data["users"]["staff"])
        for path in ("/cases/", "/cases/{case}/", "/cases/{case}/digest/", "/planner/"):
            page.goto(live_server.url + path.format(**data), wait_until="networkidle")
            regions = page.locator(".table-scroll")
            assert regions.count() >= 1, path
            for region in regions.all():
                assert region.get_attribute("role") == "region", path
                assert region.get_attribute("tabindex") == "0", path
                assert (region.get_attribute("aria-label") or "").strip() or (
                    region.get_attribute("aria-labelledby")
                ), path
            assert_accessible(axe, page)
    finally:
        context.close()
