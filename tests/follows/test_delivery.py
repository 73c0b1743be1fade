"""Announcements reach the followers whose follows cover them, once each, in their
language, with a one-click unsubscribe header; daily and weekly followers get one digest
per period; 10,000 followers get exactly one e-mail each, in batches of a constant number
of queries."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from accounts.models import Notification
from follows import tasks
from follows.models import Announcement, Follow, Topic
from tests.areas.factories import AreaFactory, MunicipalityFactory
from tests.conftest import run_jobs
from tests.follows.helpers import announce, area, bodo, school_and_hamlets
from tests.priorities.factories import UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://nabolaget.example"


def follow(user=None, *, place=None, topics=("hearing",), frequency="immediate", municipality=None):
    user = user or UserFactory()
    return Follow.objects.create(
        user=user,
        municipality=municipality or (place.municipality if place else bodo()),
        area=place,
        topics=list(topics),
        frequency=frequency,
    )


def deliver(announcement) -> None:
    tasks.send_announcements([announcement.pk])


def recipients() -> Counter:
    return Counter(to for message in mail.outbox for to in message.to)


def test_announce_defers_one_delivery_job_in_its_transaction_and_only_once_per_key():
    school = area("1804-SK01")
    first = announce("hearing:1:opened", areas=[school])
    again = announce("hearing:1:opened", areas=[], title="Other")
    assert again == first
    assert list(first.areas.all()) == [school]
    jobs = ProcrastinateJob.objects.filter(task_name="follows.tasks.deliver_announcements")
    assert [job.args for job in jobs] == [{"announcement_ids": [first.pk]}]


@override_settings(NABOLAGET_SITE_URL=SITE)
def test_the_followers_whose_follows_cover_the_announcement_get_it_once():
    school, inside, outside = school_and_hamlets()
    of_school = follow(place=school)
    of_inside_hamlet = follow(place=inside)
    of_outside_hamlet = follow(place=outside)
    of_municipality = follow()
    wrong_topic = follow(place=school, topics=["answer"])
    daily = follow(place=school, frequency="daily")
    other_municipality = follow(place=AreaFactory(municipality=MunicipalityFactory()))
    both = follow(place=school)
    follow(both.user)  # the whole municipality too: still one e-mail
    announcement = announce(areas=[school])
    deliver(announcement)
    got = recipients()
    assert got == {
        of_school.user.email: 1,
        of_inside_hamlet.user.email: 1,
        of_municipality.user.email: 1,
        both.user.email: 1,
    }
    for nobody in (of_outside_hamlet, wrong_topic, daily, other_municipality):
        assert nobody.user.email not in got
    deliver(announcement)  # a retried job
    assert len(mail.outbox) == 4
    assert Notification.objects.filter(key=f"follow:{announcement.pk}").count() == 4


def test_an_announcement_for_the_whole_municipality_reaches_every_area_follower():
    school, _inside, outside = school_and_hamlets()
    followers = [follow(place=school), follow(place=outside), follow()]
    deliver(announce(areas=[]))
    assert recipients() == {f.user.email: 1 for f in followers}


@override_settings(NABOLAGET_SITE_URL=SITE)
def test_every_follow_e_mail_has_a_signed_one_click_unsubscribe_link():
    school = area("1804-SK01")
    mine = follow(place=school)
    deliver(announce(areas=[school]))
    (message,) = mail.outbox
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith(f"<{SITE}/follows/unsubscribe/") and header.endswith("/>")
    assert "mailto:" not in header
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header[1:-1] in message.body
    assert str(message.message()["List-Unsubscribe"]) == header
    # The link ends this follow, without a log-in or a CSRF token.
    response = Client(enforce_csrf_checks=True).post(header[1:-1].removeprefix(SITE))
    assert response.status_code == 200
    assert not Follow.objects.filter(pk=mine.pk).exists()


@pytest.mark.parametrize(
    ("language", "subject", "line"),
    [
        (
            "nb",
            "Nytt i et område du følger: Høring om skolevei",
            "Nye høringer: Høring om skolevei",
        ),
        (
            "nn",
            "Nytt i eit område du følgjer: Høring om skolevei",
            "Nye høyringar: Høring om skolevei",
        ),
        ("en", "New in an area you follow: Høring om skolevei", "New hearings: Høring om skolevei"),
    ],
)
def test_the_e_mail_is_in_the_recipients_language(language, subject, line):
    school = area("1804-SK01")
    follow(UserFactory(language=language), place=school)
    deliver(announce(areas=[school]))
    (message,) = mail.outbox
    assert message.subject == subject
    assert line in message.body


def test_inactive_accounts_get_nothing():
    school = area("1804-SK01")
    gone = follow(UserFactory(is_active=False), place=school)
    deliver(announce(areas=[school]))
    assert gone.user.email not in recipients()


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_daily_and_weekly_followers_get_one_digest_per_period():
    school = area("1804-SK01")
    daily = follow(place=school, topics=["hearing", "case"], frequency="daily")
    weekly = follow(place=school, topics=["hearing", "case"], frequency="weekly")
    at_once = follow(place=school, topics=["hearing", "case"])
    monday = datetime.date(2026, 11, 30)
    first = announce("a:1", areas=[school], title="Første")
    second = announce("a:2", areas=[school], topic=Topic.CASE, title="Andre")
    older = announce("a:3", areas=[school], title="Eldre")
    Announcement.objects.filter(pk=first.pk).update(
        created_at=_at(monday + datetime.timedelta(days=1), 9)
    )
    Announcement.objects.filter(pk=second.pk).update(
        created_at=_at(monday + datetime.timedelta(days=1), 15)
    )
    Announcement.objects.filter(pk=older.pk).update(
        created_at=_at(monday - datetime.timedelta(days=3), 9)
    )
    wednesday_morning = _at(monday + datetime.timedelta(days=2), 7).timestamp()
    tasks.send_digests("daily", int(wednesday_morning))
    tasks.send_digests("daily", int(wednesday_morning) + 60)  # run twice: still one
    assert recipients() == {daily.user.email: 1}
    (digest,) = mail.outbox
    assert "Første" in digest.body and "Andre" in digest.body and "Eldre" not in digest.body
    assert digest.subject == "I går i områder du følger: 2 nye ting"
    assert "List-Unsubscribe" in digest.extra_headers
    mail.outbox.clear()
    next_monday = _at(monday + datetime.timedelta(days=7), 7).timestamp()
    tasks.send_digests("weekly", int(next_monday))
    tasks.send_digests("weekly", int(next_monday))
    assert recipients() == {weekly.user.email: 1}
    (digest,) = mail.outbox
    assert "Første" in digest.body and "Andre" in digest.body and "Eldre" not in digest.body
    assert Notification.objects.filter(
        user=weekly.user, key="follow-digest:weekly:2026-W49"
    ).exists()
    assert at_once.user.email not in recipients()


def test_the_digest_periods_are_the_local_day_and_iso_week_before():
    moment = _at(datetime.date(2026, 12, 7), 7)  # a Monday
    start, end, name = tasks.digest_period("daily", moment)
    assert (start, end, name) == (
        _at(datetime.date(2026, 12, 6), 0),
        _at(datetime.date(2026, 12, 7), 0),
        "2026-12-06",
    )
    start, end, name = tasks.digest_period("weekly", moment)
    assert (start, end, name) == (
        _at(datetime.date(2026, 11, 30), 0),
        _at(datetime.date(2026, 12, 7), 0),
        "2026-W49",
    )


FOLLOWERS = 10_000


def test_ten_thousand_followers_each_get_exactly_one_e_mail_in_constant_queries_per_batch():
    school = area("1804-SK01")
    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        [
            user_model(username=f"follower{n}", email=f"follower{n}@example.no", language="nb")
            for n in range(FOLLOWERS)
        ]
    )
    places = [school, None]
    Follow.objects.bulk_create(
        [
            Follow(user=user, municipality=bodo(), area=places[n % 2], topics=["hearing"])
            for n, user in enumerate(users)
        ]
    )
    announcement = announce(areas=[school])
    kinds = Counter()

    def count(execute, sql, params, many, context):
        if "SAVEPOINT" in sql or sql.startswith('INSERT INTO "accounts_notification"'):
            kinds["per mail"] += 1
        else:
            kinds["per batch"] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        deliver(announcement)
    assert len(mail.outbox) == FOLLOWERS
    assert set(recipients().values()) == {1}
    assert set(recipients()) == {user.email for user in users}
    # Per e-mail: its record (a savepoint, the INSERT, its release). The rest is per batch
    # of 500: the recipients, their accounts, the announcements; and one last empty read.
    assert kinds["per mail"] == 3 * FOLLOWERS
    batches = -(-FOLLOWERS // 500)
    assert kinds["per batch"] == 3 * batches + 1


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_delivers_an_announcement_once_committed(demo_live):
    """The job announce defers runs in procrastinate's worker once the transaction commits."""
    school = area("1804-SK01")
    mine = follow(place=school)
    announce(areas=[school])
    run_jobs()
    assert recipients()[mine.user.email] == 1
    run_jobs()
    assert recipients()[mine.user.email] == 1
    assert ProcrastinateJob.objects.filter(
        task_name="follows.tasks.deliver_announcements", status="succeeded"
    ).exists()
