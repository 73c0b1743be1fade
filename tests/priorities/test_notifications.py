"""E-mails of the feedback loop, sent by the real procrastinate worker on PostgreSQL."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Notification, Role
from priorities import services
from priorities.models import Support
from priorities.tasks import notify_status_changes
from tests.conftest import run_jobs
from tests.priorities.factories import UserFactory, copies_of, make_priority, staff

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def demo(demo_live):
    """Committed demo data: the worker reads it on its own connection."""


def test_the_receipt_arrives_with_the_reference_and_what_happens_next():
    priority = make_priority(UserFactory(email="kari@example.no"))

    run_jobs()

    (message,) = mail.outbox
    assert message.to == ["kari@example.no"]
    assert priority.reference in message.subject
    assert priority.reference in message.body
    assert "30 dager" in message.body
    assert f"/priorities/{priority.pk}/" in message.body


def test_a_status_change_reaches_author_and_supporters_in_their_language():
    author = UserFactory(email="author@example.no", language="nn")
    priority = make_priority(author)
    english = UserFactory(email="english@example.no", language="en")
    silent = UserFactory(email="silent@example.no", notify_by_email=False)
    withdrawn = UserFactory(email="withdrawn@example.no")
    for user in (english, silent, withdrawn):
        services.support_add(priority=priority, user=user)
    services.support_withdraw(priority=priority, user=withdrawn)
    run_jobs()
    mail.outbox.clear()

    services.input_set_status(
        records=[priority],
        status="in_case",
        public_text="Tatt med i trafikksikkerhetsplanen.",
        actor=staff(Role.PLANNER),
        case_number="2026/1234",
    )
    run_jobs()

    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"author@example.no", "english@example.no"}
    assert "Tatt med i trafikksikkerhetsplanen." in by_address["author@example.no"].body
    assert "Ny status" in by_address["author@example.no"].body  # Nynorsk
    assert "New status" in by_address["english@example.no"].body
    assert "2026/1234" in by_address["english@example.no"].body


def test_answering_many_at_once_sends_one_email_per_person():
    author = UserFactory(email="many@example.no")
    priorities = [make_priority(author) for _ in range(3)]
    run_jobs()
    mail.outbox.clear()

    services.input_set_status(
        records=priorities,
        status="under_consideration",
        public_text="Vi ser på disse.",
        actor=staff(Role.PLANNER),
    )
    run_jobs()

    (message,) = mail.outbox
    assert all(p.reference in message.body for p in priorities)


def test_the_answer_job_takes_the_same_queries_for_10_or_500_answers():
    """The followers of every answered priority are read at once: the job's queries grow
    with the e-mails it sends (one per person), not with the answers."""
    author = UserFactory(email="forfatter@example.no")
    fan = UserFactory(email="fan@example.no", language="en")
    planner = staff(Role.PLANNER)
    queries = []
    for n in (10, 500):
        seed = make_priority(author)
        batch = [seed, *copies_of(seed, n - 1)]
        Support.objects.bulk_create([Support(priority=p, user=fan) for p in batch])
        changes = services.input_set_status(
            records=batch, status="decided", public_text=f"Vedtatt, sak {n}.", actor=planner
        )
        mail.outbox.clear()

        with CaptureQueriesContext(connection) as captured:
            notify_status_changes(kind="priority", change_ids=[change.pk for change in changes])
        queries.append(len(captured))

        by_address = {message.to[0]: message for message in mail.outbox}
        assert sorted(message.to[0] for message in mail.outbox) == [
            "fan@example.no",
            "forfatter@example.no",
        ]
        for message in by_address.values():
            assert message.body.count(f"Vedtatt, sak {n}.") == n
            assert all(p.reference in message.body for p in batch)
        assert "New status: decided" in by_address["fan@example.no"].body
        assert "Ny status: vedtatt" in by_address["forfatter@example.no"].body

    assert queries[0] == queries[1]


def test_a_job_run_twice_sends_nothing_twice():
    from priorities.tasks import send_receipt

    priority = make_priority()
    run_jobs()
    send_receipt(kind="priority", record_id=priority.pk)  # as a retry after a crash would

    assert len(mail.outbox) == 1
    assert Notification.objects.filter(key=f"receipt:priority:{priority.pk}").count() == 1


def test_a_rolled_back_change_sends_nothing():
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        make_priority()
        raise RuntimeError("the request failed after the save")
    run_jobs()

    assert mail.outbox == []
