"""Background jobs of the feedback loop: receipts and notices, by e-mail, in each person's language.

Jobs are deferred inside the transaction that causes them (procrastinate's Django
connector writes the job row on Django's connection), so a rolled-back change
queues nothing. Each e-mail is recorded in Notification under a unique key in the
same transaction that sends it, so a retried job does not send it twice.

What survives what (tests/test_jobs_crash.py kills a worker and cuts its database
connections in the middle of a batch):

- A job that raises (the database went away, a template failed) is retried with
  ``RETRY``; what it sent before is recorded and not sent again.
- A worker that dies (SIGKILL, the machine lost) leaves its job in ``doing``; its
  heartbeat stops, and ``retry_stalled_jobs`` (every minute) puts the job back in the
  queue. ``manage.py procrastinate healthchecks`` checks the queue's database.
- The connection lost after an e-mail went out but before its record committed: the
  record is written again on a new connection, so the retry does not send it twice.
  What remains is the instant between the mail server's acceptance and that write if
  the worker process itself dies then (at-least-once delivery in that window).
"""

from __future__ import annotations

import functools
import logging
import time
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import (
    DatabaseError,
    IntegrityError,
    close_old_connections,
    connections,
    transaction,
)
from django.template.loader import render_to_string
from django.utils import translation
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

RETRY = RetryStrategy(max_attempts=8, exponential_wait=5)
logger = logging.getLogger(__name__)


def closing_connections(function):
    """Run a job on a fresh database connection and close it afterwards.

    The worker runs sync jobs in a pool of threads; without this each thread would
    keep a connection open (and an old one could have been dropped by the server).
    """

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        close_old_connections()
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()

    return wrapper


def site_url(path: str) -> str:
    return settings.NABOLAGET_SITE_URL.rstrip("/") + path


def _send_once(user, key: str, template: str, context: dict) -> bool:
    """Send one e-mail to the account unless the key was sent before. True if sent now."""
    from priorities.models import Notification

    if not user.email or not user.is_active:
        return False
    sent = False
    try:
        with transaction.atomic():
            Notification.objects.create(user=user, key=key)
            with translation.override(user.language or settings.LANGUAGE_CODE):
                context = {**context, "user": user, "site_url": settings.NABOLAGET_SITE_URL}
                subject = render_to_string(f"{template}_subject.txt", context).strip()
                body = render_to_string(f"{template}.txt", context)
            send_mail(subject, body, None, [user.email])
            sent = True
    except IntegrityError:
        return False
    except DatabaseError:
        if not sent:
            raise
        # The mail went out but the connection was lost before its record committed.
        logger.warning("Connection lost after sending %s to %s; recording it again", key, user.pk)
        _record_sent(user, key)
    return True


def _record_sent(user, key: str, attempts: int = 10) -> None:
    """Write the record of a sent e-mail on a fresh connection, waiting for the database."""
    from priorities.models import Notification

    for attempt in range(attempts):
        connections["default"].close()
        try:
            Notification.objects.get_or_create(user=user, key=key)
            return
        except DatabaseError:
            if attempt == attempts - 1:
                raise
            logger.warning("Cannot record the e-mail %s to %s yet; retrying", key, user.pk)
            time.sleep(min(2**attempt, 30))


@app.task(queue="email", retry=RETRY)
@closing_connections
def send_receipt(priority_id: int | None = None, submission_id: int | None = None) -> None:
    """The receipt for a priority or a submission: reference number and what happens next."""
    from priorities.models import Priority, Submission

    if submission_id is not None:
        record = Submission.objects.select_related("municipality", "author").get(pk=submission_id)
        key = f"receipt:submission:{record.pk}"
    else:
        record = Priority.all_objects.select_related("municipality", "author").get(pk=priority_id)
        key = f"receipt:{record.pk}"
    if record.author is None:
        return
    _send_once(
        record.author,
        key,
        "priorities/email/receipt",
        {"record": record, "url": site_url(record.get_absolute_url())},
    )


@app.task(queue="email", retry=RETRY)
@closing_connections
def notify_consultation(consultation_id: int) -> None:
    """Tell the secretaries of the councils asked that a statement is wanted, and by when."""
    from cases.models import Consultation
    from nabolaget.models import User

    consultation = Consultation.objects.select_related("case").get(pk=consultation_id)
    secretaries = User.objects.filter(
        council_memberships__council__in=consultation.councils.all(),
        council_memberships__role="secretary",
    ).distinct()
    for user in secretaries:
        _send_once(
            user,
            f"consultation:{consultation.pk}",
            "priorities/email/consultation",
            {"consultation": consultation, "url": site_url(consultation.get_absolute_url())},
        )


@app.task(queue="email", retry=RETRY)
@closing_connections
def notify_status_changes(change_ids: list[int]) -> None:
    """Tell authors and supporters about new answers: one e-mail per person per batch.

    The followers of all the records are read at once (one query per kind of input),
    so the queries do not grow with the batch; only the e-mails do."""
    from priorities.models import Priority, StatusChange, Submission

    changes = list(
        StatusChange.objects.filter(pk__in=change_ids)
        .select_related("priority__author", "submission__author", "submission__council")
        .order_by("pk")
    )
    followers = {}
    for model in (Priority, Submission):
        records = [c.record for c in changes if isinstance(c.record, model)]
        if records:
            followers[model] = model.followers_of(records)
    recipients: dict[int, tuple] = {}
    per_user: dict[int, list] = defaultdict(list)
    for change in changes:
        record = change.record
        people = [record.author] if record.author else []
        people += [
            person
            for person in followers[type(record)].get(record.pk, [])
            if person.pk != record.author_id
        ]
        for person in people:
            if person.notify_by_email and change not in per_user[person.pk]:
                recipients[person.pk] = person
                per_user[person.pk].append(change)
    for user_id, user_changes in per_user.items():
        key = "status:" + ",".join(str(change.pk) for change in user_changes)
        items = [
            {
                "change": change,
                "record": change.record,
                "url": site_url(change.record.get_absolute_url()),
                "mine": change.record.author_id == user_id,
            }
            for change in user_changes
        ]
        _send_once(recipients[user_id], key[:100], "priorities/email/status", {"items": items})


@app.task(queue="email", retry=RETRY)
@closing_connections
def notify_hidden(priority_id: int) -> None:
    """Tell the author that a moderator hid their priority, and why."""
    from priorities.models import Priority

    priority = Priority.all_objects.select_related("author").get(pk=priority_id)
    if priority.author is None:
        return
    _send_once(
        priority.author,
        f"hidden:{priority.pk}:{priority.hidden_reason[:40]}",
        "priorities/email/hidden",
        {"priority": priority, "url": site_url(priority.get_absolute_url())},
    )


@app.periodic(cron="* * * * *")
@app.task(queue="email", queueing_lock="retry_stalled_jobs", pass_context=True)
async def retry_stalled_jobs(context, timestamp: int) -> None:
    """Put back in the queue the jobs of workers whose heartbeat stopped (killed workers)."""
    manager = context.app.job_manager
    for job in await manager.get_stalled_jobs(
        seconds_since_heartbeat=settings.NABOLAGET_STALLED_WORKER_SECONDS
    ):
        logger.warning("Retrying job %s (%s): its worker stopped", job.id, job.task_name)
        await manager.retry_job(job)


@app.task(queue="exports", retry=RetryStrategy(max_attempts=3, wait=30))
@closing_connections
def build_export(export_id: int) -> None:
    """Write a large export to storage, reporting progress, and mark it ready."""
    import tempfile
    from pathlib import Path

    from django.core.files import File
    from django.http import QueryDict

    from priorities import exports
    from priorities.models import Export

    export = Export.objects.select_related("municipality").get(pk=export_id)
    Export.objects.filter(pk=export.pk).update(state=Export.State.RUNNING, progress=0)
    query = QueryDict(export.query).dict()
    queryset = exports.queryset_for(query)
    total = max(queryset.count(), 1)

    def with_progress(rows):
        for number, row in enumerate(rows, start=1):
            if number % 5000 == 0:
                Export.objects.filter(pk=export.pk).update(progress=min(99, number * 100 // total))
            yield row

    rows = with_progress(
        exports.export_rows(queryset, include_personal_data=export.include_personal_data)
    )
    name = exports.file_name(export.municipality.code, query, export.format)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        count = exports.write_file(
            export.format,
            rows,
            path,
            query=query,
            include_personal_data=export.include_personal_data,
        )
        with path.open("rb") as handle:
            export.file.save(name, File(handle), save=False)
    export.rows = count
    export.state = Export.State.DONE
    export.progress = 100
    export.save(update_fields=["file", "rows", "state", "progress"])
