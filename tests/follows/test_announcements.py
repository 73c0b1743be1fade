"""The apps announce to the followers: a case registered (topic case, its affected areas)
and public answers to input (topic answer, the records' areas), the answers in bulk with a
constant number of queries however many are answered."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from cases.models import CaseArea
from follows import tasks
from follows.models import Announcement, Follow
from priorities import services as priority_services
from priorities.models import Priority, Visibility
from tests.cases.factories import make_case
from tests.follows.helpers import area, bodo
from tests.priorities.factories import UserFactory, make_priority, staff

pytestmark = pytest.mark.django_db


def test_a_registered_case_is_announced_to_its_affected_areas():
    case = make_case()
    (announcement,) = Announcement.objects.filter(topic="case")
    assert announcement.key == f"case:{case.pk}:registered"
    assert announcement.url == case.get_absolute_url()
    assert announcement.title == f"{case.number} {case.title}"
    assert set(announcement.areas.values_list("pk", flat=True)) == set(
        CaseArea.objects.filter(case=case).values_list("area_id", flat=True)
    )
    assert announcement.areas.exists()


def test_an_answer_with_a_public_text_is_announced_and_e_mailed_to_area_followers():
    school = area("1804-SK01")
    follower = UserFactory()
    Follow.objects.create(user=follower, municipality=bodo(), area=school, topics=["answer"])
    planner = staff(Role.PLANNER)
    priority = make_priority(UserFactory())
    assert school in priority.areas.all()
    (change,) = priority_services.input_set_status(
        records=[priority], status="decided", public_text="Vedtatt i bystyret.", actor=planner
    )
    (announcement,) = Announcement.objects.filter(topic="answer")
    assert announcement.key == f"answer:priority:{change.pk}"
    assert announcement.summary == "Vedtatt i bystyret."
    assert announcement.url == priority.get_absolute_url()
    assert set(announcement.areas.all()) == set(priority.areas.all())
    tasks.send_announcements([announcement.pk])
    assert [
        m.to for m in mail.outbox if "Vedtatt i bystyret." in m.body and m.to == [follower.email]
    ]


def test_an_answer_to_hidden_input_is_not_announced():
    planner = staff(Role.PLANNER)
    hidden, shown = make_priority(UserFactory()), make_priority(UserFactory())
    Priority.all_objects.filter(pk=hidden.pk).update(visibility=Visibility.HIDDEN)
    hidden.refresh_from_db()
    priority_services.input_set_status(
        records=[hidden, shown], status="decided", public_text="Vedtatt.", actor=planner
    )
    (announcement,) = Announcement.objects.filter(topic="answer")
    assert announcement.url == shown.get_absolute_url()


def _answer(count: int):
    planner = staff(Role.PLANNER)
    priorities = [make_priority(UserFactory()) for _ in range(count)]
    with CaptureQueriesContext(connection) as queries:
        priority_services.input_set_status(
            records=priorities, status="decided", public_text="Vedtatt.", actor=planner
        )
    return len(queries.captured_queries)


def test_a_bulk_answer_announces_in_a_constant_number_of_queries():
    few = _answer(2)
    many = _answer(30)
    assert many == few
    assert Announcement.objects.filter(topic="answer").count() == 32


def test_a_bulk_answer_makes_one_e_mail_per_follower():
    follower = UserFactory()
    Follow.objects.create(user=follower, municipality=bodo(), topics=["answer"])
    planner = staff(Role.PLANNER)
    priorities = [make_priority(UserFactory()) for _ in range(5)]
    priority_services.input_set_status(
        records=priorities, status="decided", public_text="Vedtatt.", actor=planner
    )
    ids = list(Announcement.objects.filter(topic="answer").values_list("pk", flat=True))
    assert len(ids) == 5
    tasks.send_announcements(sorted(ids))
    mine = [m for m in mail.outbox if m.to == [follower.email]]
    assert len(mine) == 1
    assert all(p.reference in mine[0].body for p in priorities)
