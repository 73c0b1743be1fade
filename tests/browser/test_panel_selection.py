"""A citizens' panel in the browser: the planner uploads a synthetic register of 2,000
people, draws the invitations, a resident volunteers with the letter's code by keyboard
(the others through the service), the planner chooses the panel and sees every quota met;
each page in nb and nn at 320, 390 and 1366 px without horizontal scrolling."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.urls import reverse

from accounts.models import Role
from areas.models import AreaType
from panels.models import Invitation, RegisterPerson, Volunteer
from panels.selection import code_display
from tests.browser.conftest import assert_accessible, log_in_by_keyboard, tab_to
from tests.cases.factories import make_case
from tests.panels.factories import make_panel, register_csv, register_rows, volunteer_all
from tests.priorities.factories import staff

SHOTS = Path(tempfile.gettempdir()) / "shots-panels"
WIDTHS = [(320, 800), (390, 844), (1366, 900)]


def shoot(page, name: str, language: str) -> None:
    """Screenshots at three widths, for a person to look at; none scrolls sideways."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        wide = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert wide <= 0, f"{name} ({language}) scrolls sideways at {width} px by {wide} px"
        page.screenshot(path=SHOTS / f"{name}-{language}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_planner_draws_invitations_and_chooses_a_panel_that_meets_every_quota(
    open_page, axe, tmp_path
):
    planner = staff(Role.PLANNER, email="planlegger@example.no")
    case = make_case(planner)
    panel = make_panel(
        planner,
        case=case,
        target_size=20,
        invitations=200,
        area_type=AreaType.objects.get(slug="skolekrets"),
        quota_tolerance=20,
    )
    extract = tmp_path / "folkeregister.csv"
    extract.write_bytes(register_csv(register_rows(2000, seed=7)))

    page = open_page("nb")
    log_in_by_keyboard(page, planner.email)
    page.goto(page.base_url + reverse("panels:new", args=[case.pk]))
    shoot(page, "panel_form", "nb")
    page.goto(page.base_url + reverse("panels:manage", args=[panel.pk]))
    page.set_input_files("#id_file", str(extract))
    page.get_by_role("button", name="Last opp registeruttrekket").click()
    page.locator(".messages").wait_for()
    assert "2000 personer" in page.locator(".messages").inner_text()
    assert RegisterPerson.objects.of_panel(panel).count() == 2000
    page.fill("#id_seed", "20261207")
    page.get_by_role("button", name="Trekk 200 invitasjoner").click()
    page.locator(".messages").wait_for()
    assert Invitation.objects.filter(panel=panel).count() == 200
    assert_accessible(axe, page)

    # One resident volunteers with the code from the letter, by keyboard, in Nynorsk.
    invitation = Invitation.objects.filter(panel=panel).order_by("drawn").first()
    resident = open_page("nn")
    resident.goto(resident.base_url + reverse("panels:volunteer_start"))
    shoot(resident, "volunteer_start", "nn")
    tab_to(resident, "el.id === 'id_code'")
    resident.keyboard.type(code_display(invitation.code).lower())
    resident.keyboard.press("Enter")
    resident.wait_for_url(f"**/panel/{invitation.code}/")
    shoot(resident, "volunteer_form", "nn")
    assert_accessible(axe, resident)
    tab_to(resident, "el.id === 'id_name'")
    resident.keyboard.type("Kari Nordmann")
    tab_to(resident, "el.id === 'id_email'")
    resident.keyboard.type("kari@example.no")
    tab_to(resident, "el.id === 'id_consent'")
    resident.keyboard.press("Space")
    tab_to(resident, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Meld deg'")
    resident.keyboard.press("Enter")
    resident.get_by_text("Takk for at du melde deg").wait_for()
    shoot(resident, "volunteer_done", "nn")
    assert Volunteer.objects.get(invitation=invitation).language == "nn"

    volunteer_all(panel, 90, seed=3)  # the others, through the service
    page.reload()
    # The solver runs in the request: seconds, more on a busy machine.
    page.get_by_role("button", name="Velg ut panelet").click(no_wait_after=True)
    page.locator(".messages").wait_for(timeout=120_000)
    quotas = page.locator("table.quotas tbody tr")
    assert quotas.count() >= 2 + 5 + 9 - 2  # genders, age groups, districts (some may be empty)
    assert page.locator("table.quotas").get_by_text("ikke oppfylt").count() == 0
    assert page.locator("table.quotas").get_by_text("(oppfylt)").count() == quotas.count()
    assert Volunteer.objects.filter(panel=panel, status="selected").count() == 20
    assert_accessible(axe, page)
    shoot(page, "panel_manage", "nb")
    page.goto(page.base_url + reverse("panels:detail", args=[panel.pk]))
    assert "20261207" in page.locator("code.seed").inner_text()
    shoot(page, "panel_detail", "nb")

    # The pages in Nynorsk too.
    nynorsk = open_page("nn")
    log_in_by_keyboard(nynorsk, planner.email)
    for name, url in [
        ("panel_form", reverse("panels:new", args=[case.pk])),
        ("panel_manage", reverse("panels:manage", args=[panel.pk])),
        ("panel_detail", reverse("panels:detail", args=[panel.pk])),
    ]:
        nynorsk.goto(nynorsk.base_url + url)
        shoot(nynorsk, name, "nn")
    bokmal = open_page("nb")
    other = Invitation.objects.filter(panel=panel, used_at=None).first()
    bokmal.goto(bokmal.base_url + reverse("panels:volunteer_start"))
    shoot(bokmal, "volunteer_start", "nb")
    bokmal.goto(bokmal.base_url + reverse("panels:volunteer", args=[other.code]))
    shoot(bokmal, "volunteer_form", "nb")
