"""A panel's volunteers, then its members, compared with the population (issue 16, item 7):
the comparison of cases.representation fed with the panel's own people, on its work page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from areas.models import Area, AreaType, Municipality
from areas.population import population_replace, read_counts
from panels import services
from panels.models import Volunteer, VolunteerStatus
from tests.panels.factories import make_panel
from tests.priorities.factories import staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("age", "group"),
    [(0, "0-12"), (12, "0-12"), (13, "13-19"), (39, "20-39"), (66, "40-66"), (67, "67+")],
)
def test_a_birth_year_falls_in_the_population_counts_age_group(age, group):
    assert services.population_age_group(2026 - age, 2026) == group


def _counts(year: int) -> tuple[Area, Area]:
    bodo = Municipality.objects.get(code="1804")
    skolekrets = AreaType.objects.get(slug="skolekrets")
    centre = Area.objects.current().get(type=skolekrets, code="1804-SK01")
    misvaer = Area.objects.current().get(type=skolekrets, code="1804-SK08")
    lines = ["område;alder;år;antall"]
    for area, counts in ((centre, [100, 50, 300, 400, 150]), (misvaer, [100, 100, 100, 100, 200])):
        for group, n in zip(["0-12", "13-19", "20-39", "40-66", "67+"], counts, strict=True):
            lines.append(f"{area.code};{group};{year};{n}")
    data = ("\n".join(lines) + "\n").encode()
    parsed = read_counts(data, bodo, skolekrets)
    assert not parsed.errors
    population_replace(
        municipality=bodo,
        area_type=skolekrets,
        parsed=parsed,
        source="Test",
        file_name="t.csv",
        data=data,
    )
    return centre, misvaer


def test_the_work_page_compares_the_members_with_the_population(client):
    year = timezone.localdate().year
    centre, misvaer = _counts(year)
    planner = staff(Role.PLANNER)
    panel = make_panel(planner)
    people = [(centre, 30)] * 6 + [(centre, 70)] * 2 + [(misvaer, 50)] * 3
    for number, (area, age) in enumerate(people):
        Volunteer.objects.create(
            panel=panel,
            name=f"Frivillig {number}",
            email=f"f{number}@example.no",
            birth_year=year - age,
            area=area,
            strata={"area": str(area.pk)},
            status=VolunteerStatus.SELECTED if number % 2 == 0 else VolunteerStatus.VOLUNTEERED,
        )

    result = services.members_representation(panel)
    rows = {row.name: row for row in result.rows}
    # Members only once the selection is made: 3 + 1 in the centre, 2 in Misvær.
    assert rows[centre.name].participants == 4
    assert rows[misvaer.name].participants == 2
    assert rows[centre.name].rate == pytest.approx(4.0)  # per 1,000 of 1,000 residents
    ages = {age.group: age.participants for age in result.by_age}
    assert ages["20-39"] == 3 and ages["67+"] == 1 and ages["40-66"] == 2

    client.force_login(planner)
    response = client.get(reverse("panels:manage", args=[panel.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Medlemmene mot befolkningen" in html
    assert 'id="panel-representation"' in html


def test_without_population_counts_the_page_has_no_comparison(client):
    planner = staff(Role.PLANNER)
    panel = make_panel(planner)
    assert services.members_representation(panel) is None
    client.force_login(planner)
    assert (
        "panel-representation"
        not in client.get(reverse("panels:manage", args=[panel.pk])).content.decode()
    )
