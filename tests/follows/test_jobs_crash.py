"""A follow delivery survives a killed worker: each follower gets the announcement exactly
once. A real worker (subprocess) sends slowly into files; the test kills it (SIGKILL) in
the middle of the delivery, another worker retries the stalled job, and every follower
has exactly one e-mail in the end."""

from __future__ import annotations

import signal
import time
from collections import Counter

import pytest
from procrastinate.contrib.django.models import ProcrastinateJob

from accounts.models import Notification
from core import tasks as core_tasks
from follows.models import Follow
from tests.follows.helpers import announce, area, bodo
from tests.priorities.factories import UserFactory
from tests.priorities.test_jobs_crash import (  # noqa: F401 - the fixture
    Worker,
    sent_mails,
    unfinished_jobs,
    wait_for,
    workers,
)

FOLLOWERS = 16


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_a_killed_delivery_is_resumed_and_sends_each_follower_one_e_mail(
    demo_live,
    tmp_path,
    workers,  # noqa: F811
):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log = tmp_path / "worker.log"
    school = area("1804-SK01")
    followers = [UserFactory() for _ in range(FOLLOWERS)]
    for n, user in enumerate(followers):
        Follow.objects.create(
            user=user, municipality=bodo(), area=school if n % 2 else None, topics=["hearing"]
        )
    announcement = announce("hearing:crash", areas=[school])

    def mails() -> int:
        return len(sent_mails(mail_dir))

    first = Worker(mail_dir, log)
    workers.append(first)
    wait_for(lambda: mails() >= 3, 90, "the first worker to be sending")
    time.sleep(0.1)
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    at_kill = mails()
    assert 0 < at_kill < FOLLOWERS
    (stalled,) = ProcrastinateJob.objects.filter(status="doing")
    assert stalled.task_name == "follows.tasks.deliver_announcements"

    second = Worker(mail_dir, log)
    workers.append(second)
    time.sleep(4)
    core_tasks.retry_stalled_jobs.configure(queueing_lock="retry_stalled_jobs:follows").defer(
        timestamp=int(time.time())
    )
    deadline = time.monotonic() + 120
    while unfinished_jobs() or mails() < FOLLOWERS:
        if time.monotonic() > deadline:
            pytest.fail(f"Jobs unfinished; worker log:\n{log.read_text()[-5000:]}")
        time.sleep(0.2)
    second.stop()

    sent = sent_mails(mail_dir)
    assert Counter(to for to, _subject in sent) == {user.email: 1 for user in followers}
    assert Notification.objects.filter(key=f"follow:{announcement.pk}").count() == FOLLOWERS
    statuses = Counter(ProcrastinateJob.objects.values_list("status", flat=True))
    assert set(statuses) == {"succeeded"}, statuses
