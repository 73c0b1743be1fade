"""A planner prepares a case and freezes its digest; a councillor reads it and its PDF."""

import io
import json
from pathlib import Path

from django.conf import settings
from pypdf import PdfReader

from accounts.models import Role
from areas.models import Area, Municipality
from cases.models import Case, FrozenDigest
from priorities.models import PriorityCaseLink
from tests.browser.conftest import assert_accessible
from tests.browser.test_resident_journey import log_in
from tests.cases.factories import CENTRE_POLYGON
from tests.priorities.factories import (
    BODO_CENTRE,
    SubmissionFactory,
    make_priority,
    staff,
)


def test_planner_freezes_a_digest_and_a_councillor_reads_it(page, browser, axe, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    planner = staff(Role.PLANNER, email="planlegger@bodo.kommune.no")
    councillor = staff(Role.COUNCILLOR, email="folkevalgt@bodo.kommune.no")
    priorities = [make_priority(at=BODO_CENTRE, title=f"Trygg skolevei {n}") for n in range(1, 4)]
    bodo = Municipality.objects.get(code="1804")
    statement = SubmissionFactory(
        council__name="Ungdomsrådet",
        title="Uttalelse om gang- og sykkelvei",
        text="Ungdomsrådet støtter en trygg sykkelvei gjennom sentrum.",
        meeting_date=bodo.cases.model._meta.get_field("meeting_date").to_python("2026-01-10"),
        areas=[Area.objects.current().get(type__slug="kommune", code="1804")],
    )
    boundary = tmp_path / "planomrade.geojson"
    boundary.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": {}, "geometry": CENTRE_POLYGON}],
            }
        )
    )

    # The planner creates the case by uploading the plan boundary.
    log_in(page, planner.email)
    page.goto(page.base_url + "/cases/new/")
    page.wait_for_selector("#map[data-ready='true']")
    assert_accessible(axe, page)
    page.fill("#id_number", "2026/4242")
    page.fill("#id_title", "Gang- og sykkelvei i sentrum")
    page.fill("#id_summary", "Kommunen planlegger en ny gang- og sykkelvei gjennom sentrum.")
    page.fill("#id_meeting_date", "2030-03-01")
    page.set_input_files("#id_geometry_file", str(boundary))
    page.get_by_label("Skolekrets").check()
    page.locator("form.case-form button[type=submit]").click()
    page.wait_for_url("**/cases/*/")
    case = Case.objects.get(number="2026/4242")
    assert case.areas.count() >= 1

    # The case page reads as councillors read it: the summary first; the tools are a link away.
    assert page.locator(".at-a-glance").count() == 1
    assert page.locator("form.adjust-form").count() == 0
    page.get_by_role(
        "link", name="Arbeid med saken (områder, koblinger, kartlag, frys sammendraget)"
    ).click()
    page.wait_for_url(f"**/cases/{case.pk}/work/")

    # Adjusts the affected areas: adds a hamlet, with a reason.
    hamlet = Area.objects.current().filter(type__slug="grend").order_by("name").first()
    page.select_option("#id_area", str(hamlet.pk))
    page.select_option("#id_action", "add")
    page.fill("#id_reason", "Skoleveien fra grenda går gjennom planområdet.")
    page.locator("form.adjust-form button[type=submit]").click()
    page.locator(".affected-areas").get_by_text(hamlet.name).wait_for()

    # Links three priorities and the council's statement.
    page.fill(
        "#id_references", ", ".join([*(p.reference for p in priorities), statement.reference])
    )
    page.fill("#id_public_text", "Innspillet ditt følger saken til kommunestyret.")
    page.locator("form.link-form button[type=submit]").click()
    page.locator(".messages").wait_for()
    statement.refresh_from_db()
    assert statement.case_links.filter(case_number=case.number).exists()
    assert PriorityCaseLink.objects.filter(case_number=case.number).count() == 3

    # Freezes the digest.
    page.locator("form.freeze-form button[type=submit]").click()
    page.locator(".frozen-note").wait_for()
    frozen = FrozenDigest.objects.get(case=case)
    assert frozen.version == 1
    page.context.clear_cookies()

    # A councillor opens the case from the list, toggles layers, reads the digest.
    context = browser.new_context(locale="nb-NO", viewport={"width": 1024, "height": 1366})
    tablet = context.new_page()
    tablet.set_default_timeout(10_000)
    tablet.base_url = page.base_url
    log_in(tablet, councillor.email)
    tablet.goto(tablet.base_url + "/cases/")
    tablet.get_by_role("link", name="2026/4242 Gang- og sykkelvei i sentrum").click()
    tablet.wait_for_selector("#map[data-ready='true']")
    toggle = tablet.locator("#layer-case")
    assert toggle.is_checked()
    toggle.focus()
    tablet.keyboard.press("Space")
    assert tablet.locator("#layer-case").get_attribute("data-shown") == "false"
    tablet.locator("#layer-priorities-trafikksikkerhet").uncheck()
    tablet.locator("#layer-case").check()
    assert tablet.locator("#layer-case").get_attribute("data-shown") == "true"
    digest_text = tablet.locator(".case-digest").inner_text()
    assert "Trygg skolevei 1" in digest_text and "Uttalelse om gang- og sykkelvei" in digest_text
    assert tablet.locator(".moved-on").count() == 0
    assert_accessible(axe, tablet)
    assert tablet.locator("form.freeze-form").count() == 0

    # Downloads the PDF and checks its text.
    with tablet.expect_download() as info:
        tablet.get_by_role("link", name="Last ned PDF (versjon 1)").click()
    pdf = PdfReader(io.BytesIO(Path(info.value.path()).read_bytes()))
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "2026/4242" in text and "Trygg skolevei 2" in text and "Ungdomsrådet" in text

    # A later priority changes the live digest, not the frozen one.
    make_priority(at=BODO_CENTRE, title="Nytt gatelys ved sykkelveien")
    tablet.reload()
    tablet.locator(".moved-on").wait_for()
    assert "Nytt gatelys ved sykkelveien" not in tablet.locator(".case-digest").inner_text()
    tablet.goto(tablet.base_url + f"/cases/{case.pk}/digest/")
    assert "Nytt gatelys ved sykkelveien" in tablet.locator(".digest").inner_text()
    assert_accessible(axe, tablet)
    frozen.refresh_from_db()
    assert "Nytt gatelys" not in frozen.html
    context.close()
