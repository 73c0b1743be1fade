"""Notifications survive a killed worker and a lost database connection: each is sent once.

A real worker (``manage.py procrastinate worker``) runs in a subprocess against the test
database and writes its e-mails to files. The test kills it (SIGKILL) in the middle of
a batch, starts another one, has the stalled job retried, cuts that worker's database
connections (``pg_terminate_backend``, on this test database only) in the middle of a
batch too, and then counts: every e-mail sent exactly once, every job succeeded.
"""

from __future__ import annotations

import email
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from procrastinate.contrib.django.models import ProcrastinateJob

from accounts.models import Notification, Role
from core import tasks as core_tasks
from priorities import services
from tests.priorities.factories import UserFactory, make_priority, staff

BATCHES = 3
PER_BATCH = 8
SEPARATOR = "\n" + "-" * 79 + "\n"


def sent_mails(folder: Path) -> list[tuple[str, str]]:
    """(recipient, subject) of every e-mail the workers wrote."""
    mails = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_text().split(SEPARATOR):
            if chunk.strip():
                message = email.message_from_string(chunk)
                mails.append((message["To"], str(message["Subject"])))
    return mails


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out waiting for {what}")
        time.sleep(0.02)


class Worker:
    """``manage.py procrastinate worker`` on the test database, e-mails into files."""

    def __init__(self, mail_dir: Path, log: Path):
        db = connection.settings_dict
        url = f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        environment = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_EMAIL_BACKEND": "tests.support.mail.SlowFileBackend",
            "NABOLAGET_TEST_MAIL_DIR": str(mail_dir),
            "NABOLAGET_TEST_MAIL_DELAY": "0.3",
            "NABOLAGET_WORKER_HEARTBEAT_SECONDS": "1",
            "NABOLAGET_STALLED_WORKER_SECONDS": "3",
            "PROCRASTINATE_LOG_LEVEL": "INFO",
        }
        self.log = log.open("a")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "procrastinate", "worker", "--concurrency", "1"],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def stop(self, sig=signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout=30)
        self.log.close()
        return code


def empty_job_queue() -> None:
    """procrastinate's tables are not Django-managed, so the flush between transactional
    tests leaves them: jobs of earlier tests (about rows long gone) would run here. The
    owner role empties them (the web role the tests run as may not TRUNCATE)."""
    with connections["owner"].cursor() as cursor:
        cursor.execute(
            "TRUNCATE procrastinate_jobs, procrastinate_events, procrastinate_periodic_defers, "
            "procrastinate_workers CASCADE"
        )


@pytest.fixture
def workers():
    """The workers a test starts; each is stopped at the end, whatever happened."""
    empty_job_queue()
    started: list[Worker] = []
    yield started
    for worker in started:
        if worker.process.poll() is None:
            worker.stop(signal.SIGKILL)
    empty_job_queue()


def unfinished_jobs() -> int:
    return ProcrastinateJob.objects.filter(status__in=["todo", "doing"]).count()


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_every_notification_is_sent_once_through_a_killed_worker_and_a_lost_connection(
    demo_live, tmp_path, workers
):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log = tmp_path / "worker.log"
    planner = staff(Role.PLANNER)
    authors = [UserFactory() for _ in range(BATCHES * PER_BATCH)]
    priorities = [make_priority(author) for author in authors]
    for batch in range(BATCHES):
        services.input_set_status(
            records=priorities[batch * PER_BATCH : (batch + 1) * PER_BATCH],
            status="decided",
            public_text="Vedtatt i bystyret.",
            actor=planner,
        )
    expected = 2 * len(authors)  # a receipt and an answer each

    def mails() -> int:
        return len(sent_mails(mail_dir))

    # 1. Kill the worker in the middle of the first batch of answers (after the receipts;
    #    during the next message, once the last one's record has committed).
    first = Worker(mail_dir, log)
    workers.append(first)
    wait_for(lambda: mails() >= len(authors) + 3, 90, "the first worker to be in a batch")
    time.sleep(0.1)
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    at_kill = mails()
    assert at_kill < expected
    (stalled,) = ProcrastinateJob.objects.filter(status="doing")
    assert stalled.task_name == "priorities.tasks.notify_status_changes"

    # 2. Another worker; once the dead worker's heartbeat is older than the stall limit,
    #    its job is put back in the queue by the periodic recovery job.
    second = Worker(mail_dir, log)
    workers.append(second)
    time.sleep(4)
    core_tasks.retry_stalled_jobs.configure(queueing_lock="retry_stalled_jobs:test").defer(
        timestamp=int(time.time())
    )
    wait_for(lambda: mails() >= at_kill + 1, 90, "the second worker to send")

    # 3. Cut the worker's database connections while it sends a message (its record not yet
    #    committed): 0.1 s after a fresh message the next one is in its 0.3 s send, unless
    #    that was the last of a job; so cut again after the next message until a cut caught
    #    a send (the worker says so in its log), restarting a worker that died of a cut.
    for _ in range(6):
        if "Connection lost after sending" in log.read_text():
            break
        if workers[-1].process.poll() is not None:
            workers.append(Worker(mail_dir, log))
        seen = mails()
        assert seen < expected, "every message was sent before a cut caught one being sent"
        wait_for(lambda seen=seen: mails() > seen, 90, "the worker to send the next message")
        time.sleep(0.1)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND usename = current_user"  # the worker's: the web role, as the site's
            )
            assert cursor.fetchone()[0] >= 1
        time.sleep(0.5)  # the send in flight ends and its lost record is logged

    # 4. Everything is sent, each once; a worker that died of the lost connection is
    #    restarted as a supervisor would.
    deadline = time.monotonic() + 120
    while unfinished_jobs() or mails() < expected:
        if time.monotonic() > deadline:
            pytest.fail(f"Jobs unfinished; worker log:\n{log.read_text()[-5000:]}")
        if workers[-1].process.poll() is not None:
            workers.append(Worker(mail_dir, log))
        time.sleep(0.2)
    for worker in workers:
        if worker.process.poll() is None:
            worker.stop()

    worker_log = log.read_text()
    assert f"Retrying job {stalled.pk} " in worker_log
    assert "Connection lost after sending" in worker_log
    sent = sent_mails(mail_dir)
    assert Counter(sent).most_common(1)[0][1] == 1, "an e-mail was sent twice"
    assert len(sent) == expected
    assert Counter(to for to, _ in sent) == {author.email: 2 for author in authors}
    assert Notification.objects.count() == expected
    statuses = Counter(ProcrastinateJob.objects.values_list("status", flat=True))
    assert set(statuses) == {"succeeded"}, statuses
    tasks_run = Counter(ProcrastinateJob.objects.values_list("task_name", flat=True))
    assert tasks_run["priorities.tasks.send_receipt"] == len(authors)
    assert tasks_run["priorities.tasks.notify_status_changes"] == BATCHES
