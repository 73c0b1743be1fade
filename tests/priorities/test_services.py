"""The priority services: creation with areas and receipt, supports, the feedback loop, moderation."""

import json
import re

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from procrastinate.contrib.django.models import ProcrastinateJob

from accounts.models import Role
from areas.geo import lon_lat_point
from areas.importers import ImportOptions, import_areas
from areas.models import Area
from priorities import services
from priorities.models import InputRecord, Priority, PriorityStatusChange, Support, Visibility
from tests.priorities.factories import MISVAER, UserFactory, make_priority, staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English here; the pages' tests check Bokmål."""
    from django.utils import translation

    with translation.override("en"):
        yield


def counts():
    return (
        Priority.all_objects.count(),
        Support.objects.count(),
        PriorityStatusChange.objects.count(),
    )


def test_a_priority_gets_its_areas_municipality_and_reference():
    priority = make_priority()

    assert re.fullmatch(r"NB-\d{4}-\d{6}", priority.reference)
    assert priority.municipality.code == "1804"
    assert {a.type.slug: a.code for a in priority.areas.select_related("type")} == {
        "kommune": "1804",
        "skolekrets": "1804-SK01",
        "grend": "1804-G01",
    }
    assert priority.status == "received" and priority.is_public


def test_reference_numbers_count_up():
    first, second = make_priority(), make_priority()

    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1


def test_the_receipt_is_queued_in_the_same_transaction():
    priority = make_priority()

    job = ProcrastinateJob.objects.get(task_name__endswith="send_receipt")
    assert job.args == {"kind": "priority", "record_id": priority.pk}


@pytest.mark.parametrize(
    ("lon", "lat", "message"),
    [
        (14.0, 67.9, "outside the municipalities"),
        (10.75, 59.91, "outside the municipalities"),  # Oslo: not in this installation
        (67.283, 14.385, "look swapped"),
    ],
)
def test_a_place_outside_the_municipality_is_refused_and_nothing_written(lon, lat, message):
    before = counts()

    with pytest.raises(ValidationError, match=message):
        make_priority(at=(lon, lat))

    assert counts() == before
    assert not ProcrastinateJob.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"text": "kort"}, "text"),
        ({"text": "x" * 2001}, "text"),
    ],
)
def test_empty_or_over_long_title_and_text_are_refused(fields, field):
    before = counts()

    with pytest.raises(ValidationError) as error:
        make_priority(**fields)

    assert field in error.value.message_dict
    assert counts() == before


def test_coordinates_out_of_range_are_refused():
    for lon, lat in [(200, 60), (10, 95), (float("nan"), 60), (float("inf"), 60)]:
        with pytest.raises(ValidationError):
            lon_lat_point(lon, lat)


def test_support_is_one_per_resident_and_withdrawable():
    priority = make_priority()
    neighbour = UserFactory()

    services.support_add(priority=priority, user=neighbour)
    with pytest.raises(ValidationError, match="already support"):
        services.support_add(priority=priority, user=neighbour)
    priority.refresh_from_db()
    assert priority.support_count == 1

    services.support_withdraw(priority=priority, user=neighbour)
    priority.refresh_from_db()
    assert priority.support_count == 0
    assert Support.objects.get().withdrawn_at is not None, "withdrawn, not deleted"
    with pytest.raises(ValidationError, match="do not support"):
        services.support_withdraw(priority=priority, user=neighbour)

    services.support_add(priority=priority, user=neighbour)
    priority.refresh_from_db()
    assert priority.support_count == 1
    assert Support.objects.count() == 1


def test_supporting_your_own_priority_is_refused():
    priority = make_priority()

    with pytest.raises(ValidationError, match="your own"):
        services.support_add(priority=priority, user=priority.author)


def test_planner_answers_and_the_history_keeps_every_step():
    priority = make_priority()
    planner = staff(Role.PLANNER)

    services.input_set_status(
        records=[priority],
        status="under_consideration",
        public_text="Vi ser på dette.",
        actor=planner,
    )
    services.input_set_status(
        records=[priority],
        status="in_case",
        public_text="Tatt med i saken om trafikksikkerhetsplan.",
        actor=planner,
        case_number="2026/1234",
    )

    priority.refresh_from_db()
    assert priority.status == "in_case"
    assert priority.first_answered_at is not None
    history = list(
        priority.status_changes.values_list(
            "previous_status", "status", "actor_role", "case_number"
        )
    )
    assert history == [
        ("received", "under_consideration", "planner", ""),
        ("under_consideration", "in_case", "planner", "2026/1234"),
    ]
    assert ProcrastinateJob.objects.filter(task_name__endswith="notify_status_changes").count() == 2


def test_residents_and_other_municipalities_staff_cannot_answer():
    priority = make_priority()
    resident = UserFactory()
    oslo_planner = UserFactory()
    from areas.models import Municipality
    from tests.accounts.factories import RoleGrantFactory

    oslo = Municipality.objects.create(code="0301", name="Oslo")
    RoleGrantFactory(user=oslo_planner, role=Role.PLANNER, municipality=oslo)
    moderator = staff(Role.MODERATOR)

    for actor in (resident, oslo_planner, moderator):
        with pytest.raises(PermissionDenied):
            services.input_set_status(
                records=[priority], status="decided", public_text="Vedtatt.", actor=actor
            )
    assert not PriorityStatusChange.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"status": "received"}, "status"),
        ({"status": "bogus"}, "status"),
        ({"public_text": ""}, "public_text"),
        ({"case_number": "1234"}, "case_number"),
    ],
)
def test_bad_answers_are_refused(kwargs, field):
    priority = make_priority()
    answer = {"status": "decided", "public_text": "Vedtatt i kommunestyret.", **kwargs}

    with pytest.raises(ValidationError) as error:
        services.input_set_status(records=[priority], actor=staff(Role.PLANNER), **answer)

    assert field in error.value.message_dict
    assert not PriorityStatusChange.objects.exists()
    priority.refresh_from_db()
    assert priority.status == "received"


def test_status_changes_cannot_be_rewritten_or_deleted():
    from django.db import InternalError, ProgrammingError, transaction

    priority = make_priority()
    services.input_set_status(
        records=[priority], status="decided", public_text="Vedtatt.", actor=staff(Role.PLANNER)
    )
    for attempt in (
        lambda: PriorityStatusChange.objects.update(public_text="Endret i ettertid"),
        lambda: PriorityStatusChange.objects.all().delete(),
    ):
        with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
            attempt()
    assert PriorityStatusChange.objects.get().public_text == "Vedtatt."


def test_reports_from_three_residents_hide_until_a_moderator_looks():
    priority = make_priority()

    for _ in range(2):
        services.priority_report(priority=priority, user=UserFactory(), reason="Personangrep")
    priority.refresh_from_db()
    assert priority.visibility == Visibility.PUBLIC

    services.priority_report(priority=priority, user=UserFactory(), reason="Personangrep")
    priority.refresh_from_db()
    assert priority.visibility == Visibility.PENDING_REVIEW
    assert not Priority.public_objects.filter(pk=priority.pk).exists()

    services.priority_moderate(priority=priority, moderator=staff(Role.MODERATOR), hide=False)
    priority.refresh_from_db()
    assert priority.visibility == Visibility.PUBLIC


def test_one_report_per_resident():
    priority = make_priority()
    reporter = UserFactory()
    services.priority_report(priority=priority, user=reporter, reason="Spam")

    with pytest.raises(ValidationError, match="already reported"):
        services.priority_report(priority=priority, user=reporter, reason="Spam igjen")


def test_moderator_hides_with_a_reason_and_the_author_is_told():
    priority = make_priority()
    moderator = staff(Role.MODERATOR)

    with pytest.raises(ValidationError):
        services.priority_moderate(priority=priority, moderator=moderator, hide=True, reason="")
    services.priority_moderate(
        priority=priority, moderator=moderator, hide=True, reason="Inneholder navn på en nabo."
    )

    priority.refresh_from_db()
    assert priority.visibility == Visibility.HIDDEN
    assert priority.hidden_reason == "Inneholder navn på en nabo."
    assert ProcrastinateJob.objects.filter(task_name__endswith="notify_hidden").exists()
    with pytest.raises(PermissionDenied):
        services.priority_moderate(priority=priority, moderator=UserFactory(), hide=False)


def test_redaction_keeps_the_original_in_the_protected_history():
    priority = make_priority(text="Ola Hansen i nr. 12 kjører alltid for fort her.")

    services.priority_redact(
        priority=priority,
        moderator=staff(Role.MODERATOR),
        title=priority.title,
        text="[fjernet] kjører alltid for fort her.",
    )

    priority.refresh_from_db()
    assert "Ola" not in priority.text
    events = priority.events.order_by("pgh_id").values_list("text", flat=True)
    assert "Ola Hansen i nr. 12 kjører alltid for fort her." in list(events)


def test_bulk_updates_are_caught_by_the_history():
    priority = make_priority()

    Priority.all_objects.filter(pk=priority.pk).update(title="Endret med update()")

    assert priority.events.filter(title="Endret med update()").exists()


def test_re_importing_areas_moves_priorities_to_the_new_areas(tmp_path):
    """A re-import that moves a school district boundary re-assigns the priorities in it:
    Misvær's district shrinks away from the priority and Skjerstad's grows over it."""
    priority = make_priority(at=MISVAER)
    assert priority.areas.filter(type__slug="skolekrets").get().code == "1804-SK08"
    districts = Area.objects.current().filter(type__slug="skolekrets", municipality__code="1804")
    misvaer, skjerstad = districts.get(code="1804-SK08"), districts.get(code="1804-SK07")
    around = priority.point.buffer(2000)
    moved = {
        "1804-SK08": misvaer.geom.difference(around),
        "1804-SK07": skjerstad.geom.union(misvaer.geom),
    }
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "name": name},
            "geometry": json.loads(moved[code].transform(4326, clone=True).json),
        }
        for code, name in (("1804-SK08", misvaer.name), ("1804-SK07", skjerstad.name))
    ]
    path = tmp_path / "moved.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))

    import_areas(
        ImportOptions(
            path=path,
            type_slug="skolekrets",
            code_field="code",
            name_field="name",
            municipality="1804",
        )
    )

    assert [a.code for a in priority.areas.filter(type__slug="skolekrets")] == ["1804-SK07"]


def test_every_kind_of_input_gives_its_followers_as_a_queryset():
    """followers() chains like any QuerySet, also for input whose kind has none (the
    shared InputRecord gave a list)."""
    priority = make_priority()
    fan = UserFactory()
    services.support_add(priority=priority, user=fan)

    assert list(priority.followers().filter(is_active=True)) == [fan]
    nobody = InputRecord.followers(priority)
    assert isinstance(nobody, QuerySet)
    assert list(nobody.filter(is_active=True)) == []


def test_nearby_similar_priorities_are_found_in_metres():
    first = make_priority()
    near = Point(14.386, 67.283, srid=4326)  # about 45 m east
    far = Point(14.45, 67.283, srid=4326)  # about 2.8 km east

    assert list(services.priority_nearby_similar(point=near, category=first.category)) == [first]
    assert not services.priority_nearby_similar(point=far, category=first.category)


def test_the_map_rollup_stays_exact_through_every_kind_of_change():
    """The pre-aggregated map cells match a direct count after inserts, moderation,
    answers, bulk updates and raw SQL."""
    from django.db import connection
    from django.db.models import Sum

    from priorities.models import MAP_CELL_LEVELS, PriorityMapCell

    def assert_exact():
        public = Priority.public_objects.count()
        for level in MAP_CELL_LEVELS:
            total = PriorityMapCell.objects.filter(level=level).aggregate(n=Sum("count"))["n"] or 0
            assert total == public, level
        by_status = dict(
            PriorityMapCell.objects.filter(level=1000)
            .values_list("status")
            .annotate(n=Sum("count"))
            .filter(n__gt=0)
        )
        assert by_status == {
            s: Priority.public_objects.filter(status=s).count()
            for s in Priority.public_objects.values_list("status", flat=True).distinct()
        }

    first, second = make_priority(), make_priority(at=MISVAER)
    third = make_priority()
    assert_exact()
    services.priority_moderate(
        priority=second, moderator=staff(Role.MODERATOR), hide=True, reason="Personopplysninger"
    )
    assert_exact()
    services.input_set_status(
        records=[first], status="decided", public_text="Vedtatt.", actor=staff(Role.PLANNER)
    )
    assert_exact()
    Priority.all_objects.filter(pk=third.pk).update(point=Point(15.0, 67.117, srid=4326))
    assert_exact()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE priorities_priority SET visibility = 'public' WHERE id = %s", [second.pk]
        )
    assert_exact()
    services.support_add(priority=first, user=UserFactory())
    assert_exact()
