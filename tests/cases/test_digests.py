"""The digest's numbers agree with a plain-Python count, and its query count does not grow
with the number of areas."""

import datetime
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from areas.geo import lon_lat_point
from areas.models import Area
from cases.digests import area_digest, case_digest
from priorities import services
from priorities.models import Priority, Status
from tests.cases.factories import make_case
from tests.priorities.factories import BODO_CENTRE, MISVAER, UserFactory, make_priority, staff

pytestmark = pytest.mark.django_db

PLACES = [BODO_CENTRE, (14.39, 67.28), (14.38, 67.285), MISVAER, (14.42, 67.29)]
CATEGORIES = [
    "trafikksikkerhet",
    "trafikksikkerhet",
    "natur-og-miljo",
    "lek-og-friluft",
    "natur-og-miljo",
]


def _data_set():
    """Priorities in several places and categories, with supports, answers, a hidden one."""
    planner = staff(Role.PLANNER)
    moderator = staff(Role.MODERATOR)
    residents = [UserFactory() for _ in range(4)]
    made = []
    for i in range(10):
        priority = make_priority(
            residents[i % 4],
            at=PLACES[i % len(PLACES)],
            category=CATEGORIES[i % len(CATEGORIES)],
            title=f"Prioritet {i}",
        )
        months_ago = i % 4
        Priority.all_objects.filter(pk=priority.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=31 * months_ago + 1)
        )
        for supporter in residents[: i % 3]:
            if supporter != priority.author:
                services.support_add(priority=priority, user=supporter)
        if i % 3 == 0:
            services.input_set_status(
                records=[priority],
                status=Status.UNDER_CONSIDERATION,
                public_text="Vi ser på dette.",
                actor=planner,
            )
        made.append(priority)
    services.priority_moderate(
        priority=made[1], moderator=moderator, hide=True, reason="Personopplysninger."
    )
    return made


def _expected(area_ids, since=None):
    """The digest's numbers computed in Python from every row."""
    rows = []
    for p in Priority.all_objects.prefetch_related("areas").select_related("category"):
        if p.visibility != "public":
            continue
        if not {a.pk for a in p.areas.all()} & set(area_ids):
            continue
        if since and timezone.localtime(p.created_at).date() < since:
            continue
        rows.append(p)
    by_category = Counter()
    supports = Counter()
    for p in rows:
        by_category[p.category.slug] += 1
        supports[p.category.slug] += p.support_count
    months = Counter(timezone.localtime(p.created_at).strftime("%Y-%m") for p in rows)
    # Most supported first; among equals the newest (the highest id: ids follow creation).
    top = sorted(rows, key=lambda p: (-p.support_count, -p.pk))[:10]
    return {
        "count": len(rows),
        "supports": sum(p.support_count for p in rows),
        "by_category": dict(by_category),
        "supports_by_category": dict(supports),
        "by_status": Counter(p.status for p in rows),
        "answered": sum(1 for p in rows if p.first_answered_at),
        "months": dict(months),
        "top": [p.reference for p in top],
    }


@pytest.mark.parametrize("since_days", [None, 40])
def test_digest_numbers_agree_with_a_plain_python_count(since_days):
    _data_set()
    centre = Area.objects.covering(lon_lat_point(*BODO_CENTRE)).exclude(type__slug="kommune")
    area_ids = list(centre.values_list("id", flat=True)) + list(
        Area.objects.covering(lon_lat_point(*MISVAER))
        .filter(type__slug="skolekrets")
        .values_list("id", flat=True)
    )
    assert len(area_ids) == 3  # a school district and a hamlet that overlap, and one more
    since = timezone.localdate() - datetime.timedelta(days=since_days) if since_days else None

    digest = area_digest(area_ids, since=since)
    expected = _expected(area_ids, since)

    assert expected["count"] > 0
    assert digest["totals"]["priorities"] == expected["count"]
    assert digest["totals"]["supports"] == expected["supports"]
    assert {r["slug"]: r["priorities"] for r in digest["by_category"]} == expected["by_category"]
    assert {r["slug"]: r["supports"] for r in digest["by_category"]} == expected[
        "supports_by_category"
    ]
    assert {r["status"]: r["count"] for r in digest["by_status"] if r["count"]} == dict(
        expected["by_status"]
    )
    assert digest["health"]["answered"] == expected["answered"]
    assert {r["month"]: r["count"] for r in digest["trend"] if r["count"]} == expected["months"]
    assert [p["reference"] for p in digest["top"]] == expected["top"]
    # Each priority once: the sum over overlapping areas is larger than the combined count.
    assert sum(r["priorities"] for r in digest["per_area"]) >= digest["totals"]["priorities"]


def test_the_number_of_queries_does_not_grow_with_the_number_of_areas():
    """Both ways of counting: areas of one type (read from the rollup) and areas of
    several types (a priority can lie in two of them: counted from the priorities)."""
    _data_set()
    kretser = list(Area.objects.of_type("skolekrets").values_list("id", flat=True))
    every = list(Area.objects.in_municipality("1804").values_list("id", flat=True))
    assert len(kretser) > 5 and len(every) > 10
    for few, many in ((kretser[:1], kretser), (kretser[:1] + every[:1], every)):
        counts = []
        for area_ids in (few, many):
            with CaptureQueriesContext(connection) as queries:
                area_digest(area_ids)
            counts.append(len(queries))
        assert counts[0] == counts[1]


def test_the_case_digest_has_the_linked_input_and_the_statements():
    case = make_case()
    planner = staff(Role.PLANNER)
    priority = make_priority(at=BODO_CENTRE)
    from cases.services import case_link_input

    case_link_input(actor=planner, case=case, records=[priority], public_text="Følger saken.")
    data = case_digest(case)
    assert [p["reference"] for p in data["linked"]] == [priority.reference]
    assert data["linked"][0]["status"] == "in_case"
    assert data["case"]["number"] == case.number
    assert data["map"]["case"]  # the case's geometry is drawn on the map
    assert data["totals"]["priorities"] >= 1


def test_the_fingerprint_ignores_the_period_and_empty_months():
    from cases.digests import fingerprint

    data = {
        "period": {"since": None, "until": "2026-11-30"},
        "trend": [{"month": "2026-11", "count": 2}],
        "totals": {"priorities": 2},
    }
    later = {
        **data,
        "period": {"since": None, "until": "2026-12-02"},
        "trend": [*data["trend"], {"month": "2026-12", "count": 0}],
    }
    assert fingerprint(data) == fingerprint(later)
    assert fingerprint(data) != fingerprint({**later, "totals": {"priorities": 3}})


@pytest.mark.parametrize("how_many", [1, None])
def test_the_digest_from_the_rollup_is_the_digest_from_the_rows(monkeypatch, how_many):
    """Areas of one type are counted from the rollup: the same digest as counting the
    priorities themselves, health (median days, overdue) included, and the plain-Python
    count agrees."""
    from cases import digests

    made = _data_set()
    # Some input older than the promised answer time, some of it answered late.
    for i, priority in enumerate(made):
        Priority.all_objects.filter(pk=priority.pk).update(
            created_at=priority.created_at - datetime.timedelta(days=17 * i)
        )
    kretser = list(Area.objects.of_type("skolekrets").values_list("id", flat=True))
    area_ids = kretser[:how_many]
    areas = list(Area.objects.filter(pk__in=area_ids))
    assert digests.digest_scope(areas, None, timezone.localdate()) is not None

    from_rollup = area_digest(area_ids)
    monkeypatch.setattr(digests, "digest_scope", lambda *args: None)
    from_rows = area_digest(area_ids)
    assert from_rollup == from_rows
    assert from_rollup["health"]["overdue"] and from_rollup["health"]["median_days"]
    expected = _expected(area_ids)
    assert from_rollup["totals"]["priorities"] == expected["count"]
    assert [p["reference"] for p in from_rollup["top"]] == expected["top"]
    assert from_rollup["health"]["overdue"] == sum(
        1
        for p in Priority.public_objects.filter(areas__in=area_ids, first_answered_at=None)
        if timezone.localtime(p.created_at).date()
        < timezone.localdate() - datetime.timedelta(days=p.municipality.answer_days)
    )


def test_a_digest_of_many_priorities_maps_the_grid_rollup(monkeypatch):
    """Past MAP_POINTS priorities the map shows the map rollup's cells in the areas, sized
    by count, rather than a thousand single points."""
    from cases import digests

    _data_set()
    monkeypatch.setattr(digests, "MAP_POINTS", 1)
    kretser = list(Area.objects.of_type("skolekrets").values_list("id", flat=True))
    digest = area_digest(kretser)
    points = digest["map"]["points"]
    assert points and all(p["count"] >= 1 and p["r"] > 0 for p in points)
    assert sum(p["count"] for p in points) <= digest["totals"]["priorities"]
    assert digest["map"]["count"] == sum(p["count"] for p in points)
