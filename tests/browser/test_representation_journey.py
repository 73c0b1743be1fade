"""A planner uploads population counts with the keyboard (a bad file first: its rows are
named and the error summary takes focus), then residents read who takes part against who
lives there: the table and the choropleth with its legend, in Bokmål and Nynorsk, on a
phone and a desktop, without horizontal scrolling."""

import os
from pathlib import Path

import pytest

from accounts.models import Role
from areas.models import PopulationUpload
from tests.browser.conftest import assert_accessible, log_in_by_keyboard, tab_to
from tests.priorities.factories import BODO_CENTRE, MISVAER, UserFactory, make_priority, staff

RONVIK = (14.42, 67.29)
HUNSTAD = (14.45, 67.27)
BAD = "område;alder;år;antall\n1804-SK01;20-39;2026;12\nAtlantis;20-39;2026;-3\n"
GOOD = "område;alder;år;antall\n" + "".join(
    f"1804-SK0{n};{group};2026;{100 * n}\n"
    for n in range(1, 10)
    for group in ("0-12", "13-19", "20-39", "40-66", "67+")
)


def _shots() -> Path | None:
    folder = os.environ.get("NABOLAGET_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        return Path(folder)
    return None


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _no_horizontal_scroll(page) -> None:
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    ), "the page scrolls sideways"


def test_a_planner_uploads_counts_by_keyboard_and_the_comparison_is_read_on_any_screen(
    open_page, axe, tmp_path
):
    planner = staff(Role.PLANNER, email="planlegger@example.no")
    # Residents in four school districts: 6, 8 and 5, and 1 in Misvær (withheld in public,
    # and so is Hunstad's 5, the next smallest, which would give it away).
    for place, n in ((BODO_CENTRE, 6), (RONVIK, 8), (HUNSTAD, 5), (MISVAER, 1)):
        for _ in range(n):
            make_priority(UserFactory(), at=place)
    before = PopulationUpload.objects.count()
    bad, good = tmp_path / "feil.csv", tmp_path / "befolkning.csv"
    bad.write_text(BAD, encoding="utf-8")
    good.write_text(GOOD, encoding="cp1252")

    page = open_page("nb")
    log_in_by_keyboard(page, planner.email)
    page.goto(page.base_url + "/kommune/1804/population/")
    tab_to(page, "el.id === 'id_area_type'")
    page.keyboard.type("Skole")
    assert page.locator("#id_area_type option:checked").inner_text() == "Skolekrets"
    tab_to(page, "el.id === 'id_source'")
    page.keyboard.type("SSB tabell 07459, 1. januar 2026")
    tab_to(page, "el.id === 'id_file'")
    page.set_input_files("#id_file", str(bad))
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Last opp'")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    # The summary takes focus (read at once by a screen reader); the bad row is named.
    page.wait_for_function(
        "document.activeElement && document.activeElement.id === 'error-summary'"
    )
    assert "Linje 3" in page.locator(".population-report").inner_text()
    assert "«Atlantis»" in page.locator(".population-report").inner_text()
    assert PopulationUpload.objects.count() == before
    assert_accessible(axe, page)

    tab_to(page, "el.id === 'id_source'")
    page.keyboard.press("Control+A")
    page.keyboard.type("SSB tabell 07459, 1. januar 2026")
    tab_to(page, "el.id === 'id_file'")
    page.set_input_files("#id_file", str(good))
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Last opp'")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/representation/" in url)
    assert PopulationUpload.objects.filter(replaced_at__isnull=True, year=2026).exists()
    page.wait_for_selector("#representation-map[data-ready='true']")
    # The planner sees every count, the Misvær resident included.
    assert "færre enn 5" not in page.locator("table.representation").first.inner_text()

    shots = _shots()
    for language in ("nb", "nn"):
        for width in (320, 390, 1366):
            resident_page = open_page(language, {"width": width, "height": 900})
            resident_page.goto(resident_page.base_url + "/kommune/1804/representation/")
            resident_page.wait_for_selector("#representation-map[data-ready='true']")
            legend = resident_page.locator("#representation-legend")
            assert legend.locator("li").count() == 6  # five classes and "no rate"
            assert resident_page.locator("path.representation-area").count() == 9
            table = resident_page.locator("table.representation").first.inner_text()
            assert ("færre enn 5" in table) and ("Misvær skolekrets (demo)" in table)
            heading = {"nb": "Hvem som deltar i Bodø", "nn": "Kven som deltek i Bodø"}[language]
            assert heading in resident_page.locator("h1").inner_text()
            _no_horizontal_scroll(resident_page)
            if shots:
                resident_page.screenshot(
                    path=str(shots / f"representation-{language}-{width}.png"), full_page=True
                )
            if width == 1366 and language == "nn":
                assert_accessible(axe, resident_page)
    # The upload page on a phone and a desktop, in both languages.
    nynorsk = open_page("nn")
    log_in_by_keyboard(nynorsk, planner.email)
    for language, planner_page in (("nb", page), ("nn", nynorsk)):
        for width in (320, 390, 1366):
            planner_page.set_viewport_size({"width": width, "height": 900})
            planner_page.goto(planner_page.base_url + "/kommune/1804/population/")
            _no_horizontal_scroll(planner_page)
            if shots:
                planner_page.screenshot(
                    path=str(shots / f"population-{language}-{width}.png"), full_page=True
                )
    assert "Folketal for Bodø" in nynorsk.locator("h1").inner_text()
