"""A youth council answers a consultation in a real browser, and hears back."""

import datetime
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from councils import services as council_services
from councils.models import Submission
from tests.areas.factories import CouncilFactory, council_secretary, municipality_area
from tests.browser.conftest import assert_accessible
from tests.browser.test_resident_journey import log_in
from tests.cases.factories import CaseFactory
from tests.conftest import run_jobs
from tests.priorities.factories import staff

PDF = Path(settings.BASE_DIR) / "fixtures" / "demo" / "protokoll-eksempel.pdf"


def test_youth_council_files_a_statement_and_hears_back(page, browser, axe, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    council = CouncilFactory(name="Ungdomsrådet i Bodø", areas=[municipality_area("1804")])
    secretary = council_secretary(council, email="sekretar@ungdomsradet.no")
    case = CaseFactory(
        number="2026/555",
        title="Ny skatepark",
        meeting_date=timezone.localdate() + datetime.timedelta(days=40),
    )
    planner = staff(Role.PLANNER, email="planlegger@bodo.kommune.no")
    council_services.consultation_create(
        actor=planner,
        case=case,
        councils=[council],
        deadline=timezone.localdate() + datetime.timedelta(days=14),
        summary="Kommunen vil bygge en skatepark. Hvor bør den ligge?",
        questions="Hva trenger ungdom i parken?",
    )
    run_jobs()
    (request_mail,) = [m for m in mail.outbox if secretary.email in m.to]
    assert "2026/555" in request_mail.subject

    # The secretary files the statement from the council's page.
    log_in(page, secretary.email)
    page.goto(page.base_url + council.get_absolute_url())
    assert_accessible(axe, page)
    page.locator("a[href*='?consultation=']").first.click()
    page.wait_for_selector("#map[data-ready='true']")
    page.fill("#id_title", "Uttalelse om skatepark")
    page.fill("#id_text", "Ungdomsrådet ønsker skateparken nær sentrum, med lys og tak.")
    page.fill("#id_meeting_date", timezone.localdate().isoformat())
    page.fill("#id_minutes_reference", "7/26")
    page.locator(".leaflet-draw-draw-polygon").click()
    for lat, lon in [
        (67.15, 14.95),
        (67.15, 15.05),
        (67.09, 15.05),
        (67.09, 14.95),
        (67.15, 14.95),
    ]:
        draw_click(page, lat, lon)

    assert '"Polygon"' in page.input_value("#id_geometry")
    page.set_input_files("#id_attachments", str(PDF))
    assert_accessible(axe, page)
    page.locator("form.priority-form > button[type=submit]").click()
    page.locator(".receipt").wait_for()
    submission = Submission.objects.get()
    assert submission.case_links.get().case_number == case.number and not submission.late
    assert submission.areas.filter(code="1804-SK08").exists()
    assert submission.attachments.count() == 1

    # A planner answers it.
    context = browser.new_context(locale="nb-NO")
    planner_page = context.new_page()
    planner_page.base_url = page.base_url
    log_in(planner_page, planner.email)
    planner_page.goto(page.base_url + submission.get_absolute_url())
    planner_page.select_option("select[name=status]", "in_case")
    planner_page.fill("textarea[name=public_text]", "Uttalelsen følger saken til kommunestyret.")
    planner_page.locator("section.staff button[type=submit]").click()
    planner_page.get_by_text("Uttalelsen følger saken").wait_for()
    context.close()
    run_jobs()

    # The secretary sees the answer and has the e-mail; the council's page lists it.
    page.goto(page.base_url + submission.get_absolute_url())
    assert "Uttalelsen følger saken til kommunestyret." in page.locator(".history").inner_text()
    assert_accessible(axe, page)
    assert any("Uttalelsen følger saken" in m.body for m in mail.outbox if secretary.email in m.to)
    page.goto(page.base_url + council.get_absolute_url())
    assert "Uttalelse om skatepark" in page.locator("main").inner_text()


def draw_click(page, lat, lon):
    """A click for Leaflet.draw, which follows the pointer: move there, press, release."""
    x, y = page.evaluate(
        "([lat, lon]) => { const p = document.getElementById('map').map"
        ".latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        [lat, lon],
    )
    box = page.locator("#map").bounding_box()
    page.mouse.move(box["x"] + x - 3, box["y"] + y - 3)
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.mouse.down()
    page.mouse.up()
    page.wait_for_timeout(50)
