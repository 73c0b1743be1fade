"""A planner's working session in a real browser: filter, answer three at once, export."""

import csv
import io
import json
from pathlib import Path

from accounts.models import Role
from areas.models import Area
from priorities.models import PriorityStatusChange
from tests.browser.conftest import assert_accessible
from tests.browser.test_resident_journey import log_in
from tests.priorities.factories import MISVAER, UserFactory, make_priority, staff


def test_planner_filters_answers_three_and_exports(page, axe):
    author = UserFactory()
    chosen = [make_priority(author, title=f"Trafikkfare {n}") for n in range(3)]
    make_priority(author, title="Lekeplass", category="lek-og-friluft")
    make_priority(author, title="Trafikk i Misvær", at=MISVAER)
    planner = staff(Role.PLANNER, email="planlegger@bodo.kommune.no")
    district = Area.objects.get(code="1804-SK01")

    log_in(page, planner.email)
    page.goto(page.base_url + "/planner/")
    page.select_option("#id_area", str(district.pk))
    page.select_option("#id_category", "trafikksikkerhet")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_selector("#map[data-choropleth-ready='true']")
    assert_accessible(axe, page)

    table = page.locator("#priority-table tbody")
    assert table.locator("tr").count() == 3
    assert "Lekeplass" not in table.inner_text() and "Misvær" not in table.inner_text()

    for priority in chosen:
        page.check(f"#pick-{priority.pk}")
    page.select_option("#id_status", "under_consideration")
    page.fill("#id_public_text", "Vi vurderer fartsdempende tiltak i sentrum.")
    page.locator("#bulk-form fieldset button[type=submit]").first.click()
    page.locator(".message.success").wait_for()
    assert "3" in page.locator(".message.success").inner_text()

    assert PriorityStatusChange.objects.filter(record__in=chosen).count() == 3

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="CSV").click()
    text = Path(csv_download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert sorted(r["title"] for r in rows) == ["Trafikkfare 0", "Trafikkfare 1", "Trafikkfare 2"]
    assert {(r["status"], r["status_code"]) for r in rows} == {
        ("under vurdering", "under_consideration")
    }
    assert "-trafikksikkerhet-" in csv_download.value.suggested_filename

    with page.expect_download() as geojson_download:
        page.get_by_role("link", name="GeoJSON").click()
    collection = json.loads(Path(geojson_download.value.path()).read_text(encoding="utf-8"))
    assert len(collection["features"]) == 3
    assert all(13 < f["geometry"]["coordinates"][0] < 16 for f in collection["features"])
    assert "Kartverket" in collection["metadata"]["attribution"]
