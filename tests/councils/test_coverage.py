"""Which areas have a local council: per area of a chosen type, the councils there and
their kind, or none, and when each last filed a statement and an annual report; in SQL
(a constant number of queries), checked against a plain-Python oracle."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from areas.models import Area, AreaType, Municipality
from councils import coverage
from councils.models import CouncilKind, SubmissionKind
from tests.areas.factories import CouncilFactory, CouncilKindFactory
from tests.priorities.factories import SubmissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def councils():
    school = Area.objects.in_force().get(code="1804-SK01")
    hamlets = Area.objects.in_force().of_type("grend").in_municipality("1804")
    hamlet = next(h for h in hamlets if h.geom.relate_pattern(school.geom, "T********"))
    whole = Area.objects.in_force().get(type__slug="kommune", code="1804")
    other_school = Area.objects.in_force().get(code="1804-SK02")
    local = CouncilFactory(
        name="Grendeutvalet", kind=CouncilKindFactory(slug="kommunedelsutvalg"), areas=[hamlet]
    )
    youth = CouncilFactory(name="Ungdomsrådet", areas=[whole])
    active = CouncilFactory(
        name="Rønvik nærmiljøråd",
        kind=CouncilKindFactory(slug="naermiljorad"),
        is_formal=False,
        organisation_number="998877660",
        areas=[other_school],
    )
    statement = SubmissionFactory(council=active)
    report = SubmissionFactory(council=active, kind=SubmissionKind.ANNUAL_REPORT, year=2025)
    return {
        "school": school,
        "other_school": other_school,
        "local": local,
        "youth": youth,
        "active": active,
        "statement": statement,
        "report": report,
    }


def oracle(municipality, area_type) -> dict[int, set[int]]:
    """Per area of the type, the ids of the councils there, by GEOS in Python."""
    areas = list(Area.objects.in_force().filter(municipality=municipality, type=area_type))
    result = {}
    for area in areas:
        there = set()
        for council in municipality.councils.prefetch_related("areas__type"):
            for spoken in council.areas.all():
                if spoken.type.slug == "kommune":
                    continue
                if spoken.pk == area.pk or spoken.geom.relate_pattern(area.geom, "T********"):
                    there.add(council.pk)
        result[area.pk] = there
    return result


def test_the_coverage_matches_the_oracle_with_the_last_filings(councils):
    bodo = Municipality.objects.get(code="1804")
    schools = AreaType.objects.get(slug="skolekrets")
    with CaptureQueriesContext(connection) as queries:
        rows = coverage.coverage(bodo, schools)
    assert len(queries.captured_queries) == 2  # the table, and the kinds' names
    assert {row.id: {c.id for c in row.councils} for row in rows} == oracle(bodo, schools)
    by_area = {row.id: row for row in rows}
    (local,) = by_area[councils["school"].pk].councils
    assert local.id == councils["local"].pk
    assert local.kind == CouncilKind.objects.get(slug="kommunedelsutvalg").name
    assert local.last_statement is None and local.last_report is None
    (active,) = [
        c for c in by_area[councils["other_school"].pk].councils if c.id == councils["active"].pk
    ]
    assert active.last_statement == councils["statement"].created_at
    assert active.last_report == councils["report"].created_at
    assert any(not row.councils for row in rows)
    assert councils["youth"].pk not in {c.id for row in rows for c in row.councils}


def test_the_page_shows_the_table_and_the_gaps(councils):
    response = Client().get("/kommune/1804/councils/coverage/?type=skolekrets")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Grendeutvalet" in page and "Rønvik nærmiljøråd" in page
    assert "Ikke noe lokalt råd" in page
    assert 'class="table-scroll" role="region" tabindex="0"' in page
    assert "Ungdomsrådet" in page  # listed apart, for the whole municipality
    nynorsk = Client(HTTP_ACCEPT_LANGUAGE="nn").get("/kommune/1804/councils/coverage/?type=grend")
    assert nynorsk.status_code == 200
    assert "Lokale råd per område" in nynorsk.content.decode()


@pytest.mark.parametrize(
    ("language", "message"),
    [("nb", "Velg en av områdetypene i listen."), ("nn", "Vel ein av områdetypane i lista.")],
)
def test_an_unknown_area_type_is_refused(language, message):
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(
        "/kommune/1804/councils/coverage/?type=nonsense"
    )
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_unknown_municipality_is_a_404():
    assert Client().get("/kommune/0000/councils/coverage/").status_code == 404
