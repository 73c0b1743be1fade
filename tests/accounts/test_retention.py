"""Retention: residents inactive for NABOLAGET_RETENTION_DAYS are told, then closed."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import override_settings

from accounts import services
from accounts.models import Role
from accounts.tasks import account_retention
from priorities.models import Priority
from tests.areas.factories import CouncilMembershipFactory
from tests.priorities.factories import UserFactory, make_priority, staff

JOINED = dt.datetime(2023, 1, 10, 12, 0, tzinfo=dt.UTC)
DAYS, NOTICE = 1095, 30
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_retention")]


@pytest.fixture
def _retention():
    with override_settings(NABOLAGET_RETENTION_DAYS=DAYS, NABOLAGET_RETENTION_NOTICE_DAYS=NOTICE):
        yield


def resident(**fields):
    user = UserFactory(**fields)
    get_user_model().objects.filter(pk=user.pk).update(date_joined=JOINED, last_login=None)
    return user


def after(days: float) -> dt.datetime:
    return JOINED + dt.timedelta(days=days)


def account(user):
    return get_user_model().objects.get(pk=user.pk)


def test_told_once_before_and_closed_after_the_notice_period():
    user = resident(email="kari@example.no", language="nn")
    priority = make_priority(author=user)

    assert services.account_retention_run(now=after(DAYS - NOTICE - 1)) == {"told": 0, "closed": 0}
    assert services.account_retention_run(now=after(DAYS - NOTICE)) == {"told": 1, "closed": 0}
    (notice,) = [m for m in mail.outbox if m.to == ["kari@example.no"] and "stengd" in m.subject]
    assert notice.subject == "Kontoen din i Nabolaget blir stengd"
    assert "Om du ikkje loggar inn før 9. januar 2026, stengjer vi kontoen din" in notice.body
    # Idempotent: the next nights tell nobody again and close nothing yet.
    sent = len(mail.outbox)
    assert services.account_retention_run(now=after(DAYS - NOTICE)) == {"told": 0, "closed": 0}
    assert services.account_retention_run(now=after(DAYS - 1)) == {"told": 0, "closed": 0}
    assert len(mail.outbox) == sent

    assert services.account_retention_run(now=after(DAYS)) == {"told": 0, "closed": 1}

    closed = account(user)
    assert not closed.is_active and closed.closed_at == after(DAYS)
    assert "kari" not in closed.email and closed.first_name == ""
    assert Priority.public_objects.get(pk=priority.pk).author_id is None
    assert services.account_retention_run(now=after(DAYS + 1)) == {"told": 0, "closed": 0}


def test_logging_in_after_the_notice_keeps_the_account():
    user = resident()
    services.account_retention_run(now=after(DAYS - NOTICE))
    get_user_model().objects.filter(pk=user.pk).update(last_login=after(DAYS - 10))

    assert services.account_retention_run(now=after(DAYS)) == {"told": 0, "closed": 0}
    assert account(user).is_active
    # Inactive again for the whole period: told again, then closed.
    assert services.account_retention_run(now=after(2 * DAYS - 10 - NOTICE)) == {
        "told": 1,
        "closed": 0,
    }
    assert services.account_retention_run(now=after(2 * DAYS - 10)) == {"told": 0, "closed": 1}


def test_never_closed_without_the_full_notice_period():
    """A resident first found long after the deadline (the job was off) still gets
    NOTICE days' warning."""
    user = resident()

    assert services.account_retention_run(now=after(DAYS + 100)) == {"told": 1, "closed": 0}
    assert services.account_retention_run(now=after(DAYS + 100 + NOTICE - 1))["closed"] == 0
    assert services.account_retention_run(now=after(DAYS + 100 + NOTICE))["closed"] == 1
    assert not account(user).is_active


def test_staff_and_council_members_are_not_closed_by_retention():
    planner = staff(Role.PLANNER)
    member = CouncilMembershipFactory(council__name="Ungdomsrådet i Bodø").user
    get_user_model().objects.update(date_joined=JOINED, last_login=None)

    assert services.account_retention_run(now=after(DAYS - NOTICE)) == {"told": 0, "closed": 0}
    assert services.account_retention_run(now=after(DAYS * 2)) == {"told": 0, "closed": 0}
    assert account(planner).is_active and account(member).is_active


def test_retention_zero_turns_the_job_off():
    resident()

    with override_settings(NABOLAGET_RETENTION_DAYS=0):
        assert services.account_retention_run(now=after(DAYS * 5)) == {"told": 0, "closed": 0}
    assert not mail.outbox


def test_the_nightly_task_runs_the_job_at_its_scheduled_time():
    from procrastinate.contrib.django import app

    user = resident()
    night = after(DAYS - NOTICE)

    # The task's body, without the wrapper that closes the worker thread's connections.
    run = account_retention.func.__wrapped__
    assert run(timestamp=int(night.timestamp())) == {"told": 1, "closed": 0}
    assert account(user).inactivity_notice_at == night
    periodic = [
        task
        for task in app.periodic_registry.periodic_tasks.values()
        if task.task.name == account_retention.name
    ]
    assert periodic and periodic[0].cron == "30 3 * * *"
