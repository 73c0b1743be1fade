"""The background worker comes back by itself when PostgreSQL restarts.

procrastinate's worker stops when it loses its database ("Side task listener failed ...
stopping worker"); scripts/worker.sh, which ``make run`` and ``make worker`` use, starts it
again. The test copies the test database, with e-mail jobs queued, into a throwaway
cluster of its own, runs scripts/worker.sh against it, restarts that cluster in the middle
of the batch, and waits, doing nothing else, until every e-mail is sent: each exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections import Counter

import pytest
from django.conf import settings
from django.db import connection

from tests.priorities.factories import UserFactory, make_priority
from tests.priorities.test_jobs_crash import empty_job_queue, sent_mails, wait_for
from tests.support.pgcluster import Cluster

RECEIPTS = 8


@pytest.fixture
def cluster():
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        major = int(cursor.fetchone()[0]) // 10000
    throwaway = Cluster(major, user=connection.settings_dict["USER"])
    throwaway.start()
    yield throwaway
    throwaway.remove()


@pytest.fixture
def queued_receipts(demo_live):
    """Residents who pinned a priority each; their receipts are queued, none sent."""
    empty_job_queue()
    authors = [UserFactory() for _ in range(RECEIPTS)]
    for author in authors:
        make_priority(author)
    yield authors
    empty_job_queue()


# The job queue is emptied as the owner role (tests/priorities/test_jobs_crash.py).
@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_every_email_is_sent_once_through_a_database_restart(queued_receipts, cluster, tmp_path):
    url = cluster.copy_database(connection.settings_dict, "nabolaget_restart")
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log = tmp_path / "worker.log"
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_EMAIL_BACKEND": "tests.support.mail.SlowFileBackend",
        "NABOLAGET_TEST_MAIL_DIR": str(mail_dir),
        "NABOLAGET_TEST_MAIL_DELAY": "1",
        "NABOLAGET_WORKER_HEARTBEAT_SECONDS": "1",
        "NABOLAGET_STALLED_WORKER_SECONDS": "3",
        "PROCRASTINATE_LOG_LEVEL": "INFO",
    }

    def mails() -> int:
        return len(sent_mails(mail_dir))

    with log.open("w") as output:
        supervisor = subprocess.Popen(
            ["bash", "scripts/worker.sh", "--concurrency", "1"],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            # Each message takes a second: the restart comes while the 4th is being sent.
            wait_for(lambda: mails() >= 3, 90, "the worker to be in the middle of the batch")
            cluster.restart()
            # Nobody acts from here on: the supervisor and the queue's own recovery do it.
            wait_for(lambda: mails() >= RECEIPTS, 180, "every receipt after the restart")
            with cluster.connect("nabolaget_restart") as database:
                wait_for(
                    lambda: (
                        not database.execute(
                            "SELECT count(*) FROM procrastinate_jobs WHERE status <> 'succeeded' "
                            "AND task_name = 'priorities.tasks.send_receipt'"
                        ).fetchone()[0]
                    ),
                    60,
                    "every receipt job to have succeeded",
                )
                recorded = database.execute(
                    "SELECT count(*) FROM accounts_notification"
                ).fetchone()[0]
        finally:
            supervisor.send_signal(signal.SIGTERM)
            code = supervisor.wait(timeout=60)

    worker_log = log.read_text()
    assert "starting it again" in worker_log, worker_log[-5000:]
    sent = sent_mails(mail_dir)
    assert Counter(to for to, _ in sent) == {author.email: 1 for author in queued_receipts}
    assert recorded == RECEIPTS
    assert code == 0, "SIGTERM stops the supervisor and its worker"
