"""The demo's year of activity: rich enough that every page shows what it is for, and
made through the same services as a person's actions (defect 10 of the UI issue: the demo
case had no geometry or areas, and its digest was all zeros)."""

import datetime
import statistics

import pytest
from django.contrib.gis.geos import LineString
from django.utils import timezone

from cases.digests import case_digest
from cases.models import Case
from councils.models import Submission
from nabolaget.demo import demo_staff, load_demo_councils
from nabolaget.demo_activity import CASE_NUMBER, load_demo_activity
from priorities.models import Priority, PriorityStatusChange, Support

pytestmark = pytest.mark.django_db


def test_the_demo_year():
    """One replay (it takes a while), three checks."""
    load_demo_councils()
    year = load_demo_activity(staff=demo_staff())
    _a_year_of_input_answered_at_various_speeds(year)
    _the_demo_case_has_a_route_its_areas_linked_input_and_statements()
    _the_year_is_played_once()


def _a_year_of_input_answered_at_various_speeds(year):
    priorities = Priority.all_objects.filter(municipality__code="1804")
    assert year == priorities.count() >= 300
    now = timezone.now()
    months = {p.created_at.strftime("%Y-%m") for p in priorities}
    assert len(months) >= 12, "input in every month of the year"
    assert min(p.created_at for p in priorities) < now - datetime.timedelta(days=330)
    assert Support.objects.count() > priorities.count()

    answered = priorities.exclude(first_answered_at=None)
    assert 0.5 < answered.count() / priorities.count() < 0.95
    # Each first answer is a status change of the loop, at the time the record says.
    for priority in answered[:40]:
        first = PriorityStatusChange.objects.filter(record=priority).earliest("created_at")
        assert first.created_at == priority.first_answered_at
        assert first.created_at > priority.created_at
    # Some parts of the municipality are answered much faster than others.
    days = {}
    for priority in answered.prefetch_related("areas__type"):
        school = next(a for a in priority.areas.all() if a.type.slug == "skolekrets")
        days.setdefault(school.name, []).append(
            (priority.first_answered_at - priority.created_at).days
        )
    medians = {name: statistics.median(d) for name, d in days.items() if len(d) >= 5}
    assert min(medians.values()) * 2 < max(medians.values()), medians


def _the_demo_case_has_a_route_its_areas_linked_input_and_statements():
    case = Case.objects.get(number=CASE_NUMBER)
    assert isinstance(case.geom, LineString) or case.geom.geom_type in ("LineString", "Polygon")
    names = set(case.areas.values_list("name", flat=True))
    assert {"Bodø sentrum skolekrets (demo)", "Mørkved skolekrets (demo)"} <= names
    statements = Submission.objects.filter(consultation__case=case, kind="statement")
    assert statements.count() == 2

    digest = case_digest(case)

    assert digest["totals"]["priorities"] > 50
    assert len(digest["linked"]) >= 10
    assert sum(row["count"] for row in digest["trend"]) == digest["totals"]["priorities"]
    (section,) = [s for s in digest["inputs"] if s["kind"] == "submission"]
    assert {row["reference"] for row in section["linked"]} == {s.reference for s in statements}
    # The statements are counted where they are listed, not "0" beside them.
    assert section["count"] >= 2 and section["health"]["count"] >= 2


def _the_year_is_played_once():
    before = Priority.all_objects.count()
    assert load_demo_activity(staff=demo_staff()) == 0
    assert Priority.all_objects.count() == before
