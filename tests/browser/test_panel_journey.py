"""Issue 16's "Done when", in a browser: a planner uploads a synthetic register of 20,000
people, sends 500 invitations, 120 volunteer (most through the service, three through the
page), a 40-member panel is chosen that meets every quota, the members get their links and
answer the survey, the frozen digest shows the results, and the register is gone when the
panel closes."""

from __future__ import annotations

import re

from django.core import mail
from django.urls import reverse

from accounts.models import Role
from areas.models import AreaType
from panels import survey
from panels.models import (
    Invitation,
    MemberAccess,
    RegisterDeletion,
    RegisterPerson,
    SurveyResponse,
    Volunteer,
)
from tests.browser.conftest import log_in_by_keyboard
from tests.cases.factories import make_case
from tests.conftest import run_jobs
from tests.panels.factories import make_panel, register_csv, register_rows, volunteer_all
from tests.priorities.factories import staff

MEMBERS = 40


def test_a_panel_from_register_to_frozen_digest(open_page, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    planner = staff(Role.PLANNER, email="planlegger@example.no")
    case = make_case(planner, number="2026/1616")
    panel = make_panel(
        planner,
        case=case,
        target_size=MEMBERS,
        invitations=500,
        area_type=AreaType.objects.get(slug="skolekrets"),
        quota_tolerance=20,
    )
    extract = tmp_path / "folkeregister.csv"
    extract.write_bytes(register_csv(register_rows(20_000, seed=16)))

    page = open_page("nb")
    page.set_default_timeout(120_000)
    log_in_by_keyboard(page, planner.email)
    page.goto(page.base_url + reverse("panels:manage", args=[panel.pk]))
    page.set_input_files("#id_file", str(extract))
    page.get_by_role("button", name="Last opp registeruttrekket").click()
    page.locator(".messages").wait_for()
    assert RegisterPerson.objects.of_panel(panel).count() == 20_000
    page.fill("#id_seed", "20261207")
    page.get_by_role("button", name="Trekk 500 invitasjoner").click()
    page.locator(".messages").wait_for()
    assert Invitation.objects.filter(panel=panel).count() == 500

    # Three volunteer through the page with their letter's code, the rest through the service.
    for number, invitation in enumerate(
        Invitation.objects.filter(panel=panel).order_by("drawn")[:3], start=1
    ):
        resident = open_page("nn" if number == 2 else "nb")
        resident.goto(resident.base_url + reverse("panels:volunteer", args=[invitation.code]))
        resident.fill("#id_name", f"Nettfrivillig {number}")
        resident.fill("#id_email", f"nett{number}@example.no")
        resident.check("#id_consent")
        resident.locator("form button[type=submit]").last.click()
        resident.locator("main").get_by_text(re.compile("Takk")).first.wait_for()
    volunteer_all(panel, 117, seed=16)
    assert Volunteer.objects.filter(panel=panel).count() == 120

    page.reload()
    page.get_by_role("button", name="Velg ut panelet").click(no_wait_after=True)
    page.locator(".messages").wait_for(timeout=240_000)
    quotas = page.locator("table.quotas")
    assert quotas.get_by_text("ikke oppfylt").count() == 0
    assert quotas.get_by_text("(oppfylt)").count() == page.locator("table.quotas tbody tr").count()
    members = list(Volunteer.objects.filter(panel=panel, status="selected").order_by("pk"))
    assert len(members) == MEMBERS

    # The members' links, e-mailed once each by the worker.
    mail.outbox.clear()
    page.goto(page.base_url + reverse("panels:members", args=[panel.pk]))
    page.get_by_role("button", name="Send lenkene på e-post til medlemmer som ikke har en").click()
    page.locator(".messages").wait_for()
    run_jobs()
    links = [m for m in mail.outbox if "/p/" in m.body]
    assert (
        len(links) == MEMBERS
        and MemberAccess.objects.filter(volunteer__panel=panel).count() == MEMBERS
    )

    # The planner builds the survey on its page and opens it.
    page.goto(page.base_url + reverse("panels:survey_edit", args=[panel.pk]))
    page.select_option("#id_kind", "single")
    page.fill("#id_text", "Bør Storgata bli gågate?")
    page.fill("#id_options", "Ja\nNei\nVet ikke")
    page.get_by_role("button", name="Legg til spørsmålet").click()
    page.locator(".messages").wait_for()
    page.select_option("#id_kind", "scale")
    page.fill("#id_text", "Hvor godt ble du informert på forhånd?")
    page.get_by_role("button", name="Legg til spørsmålet").click()
    page.locator(".messages").wait_for()
    page.get_by_role("button", name="Åpne undersøkelsen for medlemmene").click()
    page.locator(".messages").wait_for()
    the_survey = panel.survey
    single, scale = the_survey.questions.order_by("position")

    # One member answers in the browser through the link in their e-mail, the rest through
    # the service.
    first = next(m for m in links if m.to[0] == members[0].email)
    (path,) = re.findall(r"https?://[^/\s]+(/p/\S+)", first.body)
    member = open_page("nb")
    member.goto(member.base_url + path)
    member.get_by_role("link", name="Svar på undersøkelsen").click()
    member.get_by_label("Ja").check()
    member.get_by_label("4").check()
    member.get_by_role("button", name="Send svarene mine").click()
    member.locator(".messages").wait_for()
    for index, volunteer in enumerate(members[1:], start=1):
        survey.survey_answer(
            survey=the_survey,
            volunteer=volunteer,
            answers={single.pk: index % 3, scale.pk: 1 + index % 5},
        )
    assert SurveyResponse.objects.filter(survey=the_survey).count() == MEMBERS
    page.reload()
    page.get_by_role("button", name="Lukk undersøkelsen").click()
    page.locator(".messages").wait_for()

    # The frozen digest shows the results.
    page.goto(page.base_url + reverse("cases:manage", args=[case.pk]))
    page.get_by_role("button", name="Frys sammendraget").click()
    page.locator(".messages").wait_for()
    frozen = case.frozen_digests.get()
    (section,) = [s for s in frozen.data["sections"] if s["key"] == "panels"]
    results = section["data"]["panels"][0]["survey"]
    assert results["respondents"] == MEMBERS
    assert sum(o["count"] for o in results["questions"][0]["options"]) == MEMBERS
    page.goto(page.base_url + case.get_absolute_url())
    digest = page.locator("main").inner_text()
    assert "Bør Storgata bli gågate?" in digest and "40 svarte på undersøkelsen" in digest

    # Closing the panel deletes the register, with a record that it was.
    page.goto(page.base_url + reverse("panels:manage", args=[panel.pk]))
    page.get_by_role("button", name="Avslutt panelet").click()
    page.locator(".messages").wait_for()
    assert RegisterPerson.objects.of_panel(panel).count() == 0
    assert RegisterDeletion.objects.filter(panel=panel).exists()
