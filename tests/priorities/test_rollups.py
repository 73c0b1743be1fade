"""The per-area rollup (PriorityAreaStat, PriorityAnswerDays) stays exact, and the counts
read from it are the counts aggregated from the priorities themselves."""

import datetime
import json

import pytest
from django.db import connection
from django.test import RequestFactory

from areas.importers import ImportOptions, import_areas
from areas.models import Area, Municipality
from priorities import rollups, services
from priorities.filters import PriorityFilter
from priorities.models import Priority, PriorityAreaStat, Status
from tests.priorities.factories import BODO_CENTRE, MISVAER, UserFactory, make_priority, staff

pytestmark = pytest.mark.django_db

CATEGORIES = ["trafikksikkerhet", "vei-og-gatelys", "lek-og-friluft"]


def assert_exact(step: str) -> None:
    assert rollups.drift() == [], f"the rollup drifted after: {step}"


@pytest.fixture
def input_everywhere():
    # A point in each hamlet (grend) of the demo, and the centre of Bodø.
    places = [BODO_CENTRE, MISVAER] + [
        a.geom.point_on_surface.transform(4326, clone=True).coords
        for a in Area.objects.current().filter(type__slug="grend", municipality__code="1804")
    ]
    residents = UserFactory.create_batch(4)
    made = [
        make_priority(residents[i % 4], at=places[i % len(places)], category=CATEGORIES[i % 3])
        for i in range(15)
    ]
    assert_exact("creating priorities")
    return residents, made


def test_the_rollup_stays_exact_through_everything_that_changes_input(input_everywhere):
    residents, made = input_everywhere
    planner = staff("planner")
    moderator = staff("moderator")

    supporters = UserFactory.create_batch(4)
    for supporter in supporters:
        services.support_add(priority=made[0], user=supporter)
        services.support_add(priority=made[5], user=supporter)
    services.support_withdraw(priority=made[0], user=supporters[1])
    assert_exact("supports")

    services.input_set_status(
        records=made[:6],
        status=Status.UNDER_CONSIDERATION,
        public_text="Vi ser på det.",
        actor=planner,
    )
    services.input_set_status(
        records=made[2:4], status=Status.DECIDED, public_text="Vedtatt.", actor=planner
    )
    assert_exact("answers")

    # A bulk update of many rows at once is one statement: one set-based trigger call.
    Priority.all_objects.filter(pk__in=[p.pk for p in made[6:12]]).update(
        status=Status.IN_CASE, first_answered_at=made[6].created_at
    )
    assert_exact("a bulk update")

    services.priority_moderate(
        priority=made[7], moderator=moderator, hide=True, reason="Personopplysninger"
    )
    services.priority_redact(
        priority=made[8], moderator=moderator, title="Ny tittel", text="Teksten uten navn i."
    )
    assert_exact("moderation")

    services.priority_merge(target=made[5], duplicates=[made[9], made[10]], actor=planner)
    assert_exact("merging")

    services.priority_moderate(priority=made[7], moderator=moderator, hide=False)
    assert_exact("making public again")


def test_the_rollup_stays_exact_when_areas_are_reimported(input_everywhere, tmp_path):
    """Re-import the school districts with one grown over its neighbours: the priorities
    it now covers are relinked to it by the import (in its transaction; the lowest code
    wins where districts overlap) and the rollup follows the links."""
    residents, made = input_everywhere
    kretser = Area.objects.current().filter(type__slug="skolekrets", municipality__code="1804")
    grown = kretser.order_by("code").first()
    before = {p.pk: p.areas.get(type__slug="skolekrets").code for p in made}
    features = []
    for area in kretser:
        geom = area.geom.transform(4326, clone=True)
        if area.pk == grown.pk:
            geom = geom.buffer(0.05)  # grows over its neighbours
        features.append(
            {
                "type": "Feature",
                "properties": {"kode": area.code, "navn": area.name},
                "geometry": json.loads(geom.json),
            }
        )
    path = tmp_path / "kretser.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    import_areas(
        ImportOptions(
            path=path,
            type_slug="skolekrets",
            code_field="kode",
            name_field="navn",
            municipality="1804",
        )
    )

    new_shape = Area.objects.get(pk=grown.pk).geom
    expected = {p.pk: grown.code if new_shape.covers(p.point) else before[p.pk] for p in made}
    after = {p.pk: p.areas.get(type__slug="skolekrets").code for p in made}
    assert after == expected
    assert after != before, "the grown district took priorities over from its neighbours"
    counted = PriorityAreaStat.objects.filter(area=grown).values_list("count", flat=True)
    assert sum(counted) == sum(1 for code in after.values() if code == grown.code)
    assert_exact("re-importing areas")


def test_rebuild_gives_the_same_tables(input_everywhere):
    residents, made = input_everywhere
    services.support_add(priority=made[1], user=UserFactory())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), sum(count), sum(supports) FROM priorities_priorityareastat WHERE count <> 0"
        )
        kept = cursor.fetchone()
        rollups.rebuild()
        cursor.execute(
            "SELECT count(*), sum(count), sum(supports) FROM priorities_priorityareastat"
        )
        assert cursor.fetchone() == kept
    assert_exact("a rebuild")


def _filterset(params):
    request = RequestFactory().get("/", params)
    filterset = PriorityFilter(params, queryset=Priority.public_objects.all(), request=request)
    assert filterset.is_valid(), filterset.errors
    return filterset


FILTERS = [
    {"municipality": "1804"},
    {"municipality": "1804", "category": "vei-og-gatelys"},
    {"municipality": "1804", "status": "under_consideration"},
    {"municipality": "1804", "answered": "true"},
    {"municipality": "1804", "answered": "false", "category": "trafikksikkerhet"},
]


@pytest.mark.parametrize("params", FILTERS)
def test_counts_from_the_rollup_are_the_counts_of_the_rows(input_everywhere, params):
    residents, made = input_everywhere
    planner = staff("planner")
    for i, supporter in enumerate(UserFactory.create_batch(3)):
        for priority in made[i::3]:
            services.support_add(priority=priority, user=supporter)
    services.input_set_status(
        records=made[::2],
        status=Status.UNDER_CONSIDERATION,
        public_text="Vi ser på det.",
        actor=planner,
    )
    # Answers days apart, so the medians have something to find.
    for days, priority in enumerate(made[::2]):
        Priority.all_objects.filter(pk=priority.pk).update(
            created_at=priority.created_at - datetime.timedelta(days=3 * days)
        )
    filterset = _filterset(params)
    assert filterset.rollup_scope() is not None, "these filters are the rollup's to answer"
    assert filterset.totals() == filterset.qs.stats()

    expected = {r["area_id"]: r for r in filterset.qs.stats_by_area("skolekrets")}
    got = {r["area_id"]: r for r in filterset.per_area("skolekrets")}
    assert got == expected and got

    by_rows = sorted(filterset.qs.by_category_and_status(), key=str)
    assert sorted(filterset.by_category_and_status(), key=str) == by_rows

    kommune = Area.objects.current().get(type__slug="kommune", code="1804")
    assert kommune.tree_within()
    assert filterset.rollup_scope(kommune)["area_ids"] == [kommune.pk]
    assert filterset.totals(kommune) == filterset.qs.in_area_tree(kommune).stats()


def test_filters_the_rollup_cannot_answer_are_counted_from_the_rows(input_everywhere):
    filterset = _filterset({"municipality": "1804", "q": "kryss"})
    assert filterset.rollup_scope() is None
    assert filterset.totals()["count"] == 15
    assert PriorityAreaStat.objects.filter(
        municipality=Municipality.objects.get(code="1804"), area=None
    ).exists()


def test_one_area_counted_per_area_of_its_own_type(input_everywhere):
    krets = (
        Area.objects.current()
        .filter(type__slug="skolekrets", priorities__isnull=False)
        .distinct()
        .first()
    )
    filterset = _filterset({"municipality": "1804", "area": str(krets.pk)})
    assert filterset.rollup_scope()["area_ids"] == [krets.pk]
    got = filterset.per_area("skolekrets")
    assert got == list(filterset.qs.stats_by_area("skolekrets"))
    assert [row["area_id"] for row in got] == [krets.pk]
    assert filterset.totals() == filterset.qs.stats()


def test_check_rollups_command_finds_drift_and_rebuilds(input_everywhere):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("check_rollups", stdout=out)
    assert "exact" in out.getvalue()
    PriorityAreaStat.objects.filter(area=None).update(count=0)  # drift, as after a bad load
    with pytest.raises(CommandError, match="differs"):
        call_command("check_rollups", stdout=StringIO(), stderr=StringIO())
    call_command("check_rollups", "--rebuild", stdout=out)
    assert rollups.drift() == []


@pytest.mark.django_db(transaction=True)
def test_a_new_priority_and_a_support_at_once_do_not_deadlock(demo_live):
    """A new priority locks the municipality's rollup row (insert) and then its area's
    (the link); a support locks both in one statement. Under ``make load`` they deadlocked
    when the support took the area's row first. Here the support comes between the new
    priority's two statements, on a priority in the same area, category and status."""
    import threading
    import time

    from django.db import connections, transaction
    from django.db.models import F

    supported = make_priority()
    area = supported.areas.order_by("pk").first()
    template = {
        f.attname: getattr(supported, f.attname)
        for f in Priority._meta.concrete_fields
        if not f.primary_key and not f.generated and f.name != "reference"
    }
    inserted, errors = threading.Event(), []

    def create():
        try:
            with transaction.atomic():
                new = Priority.all_objects.create(**template, reference="P-TEST-DEADLOCK")
                inserted.set()
                time.sleep(0.5)  # the support is now waiting for this transaction
                new.areas.add(area)
        except Exception as exc:  # noqa: BLE001 - the deadlock is what the test looks for
            errors.append(exc)
        finally:
            inserted.set()
            connections.close_all()

    def support():
        inserted.wait()
        try:
            with transaction.atomic():
                Priority.all_objects.filter(pk=supported.pk).update(
                    support_count=F("support_count") + 1
                )
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create), threading.Thread(target=support)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert_exact("a new priority and a support at once")
