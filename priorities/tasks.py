"""Background jobs of the feedback loop: receipts and notices, by e-mail, in each person's
language, for every kind of input (``priorities.kinds``); and the planner's big exports.

Jobs are deferred inside the transaction that causes them (procrastinate's Django
connector writes the job row on Django's connection), so a rolled-back change queues
nothing. Each e-mail is sent once (accounts.notifications); what survives a killed
worker or a lost connection is in core/tasks.py.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.http import QueryDict
from django.utils import translation
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from accounts.notifications import send_once, site_url
from core.tasks import RETRY, closing_connections
from priorities import exports, kinds
from priorities.models import Export, Priority
from priorities.notes import is_merge_note


@app.task(queue="email", retry=RETRY)
@closing_connections
def send_receipt(kind: str, record_id: int) -> None:
    """The receipt for a piece of input: its reference number and what happens next."""
    input_kind = kinds.get(kind)
    record = input_kind.model._base_manager.select_related(*input_kind.select).get(pk=record_id)
    if record.author is None:
        return
    send_once(
        record.author,
        f"receipt:{kind}:{record.pk}",
        "priorities/email/receipt",
        {"record": record, "url": site_url(record.get_absolute_url())},
    )


@app.task(queue="email", retry=RETRY)
@closing_connections
def notify_status_changes(kind: str, change_ids: list[int]) -> None:
    """Tell authors and followers (supporters, a council's members) about new answers to
    one kind of input: one e-mail per person per batch.

    The followers of all the records are read at once, so the queries do not grow with
    the batch; only the e-mails do."""
    input_kind = kinds.get(kind)
    changes = list(
        input_kind.status_changes.objects.filter(pk__in=change_ids)
        .select_related(*(f"record__{name}" for name in input_kind.select))
        .order_by("pk")
    )
    followers = input_kind.model.followers_of([change.record for change in changes])
    recipients: dict[int, tuple] = {}
    per_user: dict[int, list] = defaultdict(list)
    for change in changes:
        record = change.record
        people = [record.author] if record.author else []
        people += [
            person for person in followers.get(record.pk, []) if person.pk != record.author_id
        ]
        for person in people:
            if person.notify_by_email and change not in per_user[person.pk]:
                recipients[person.pk] = person
                per_user[person.pk].append(change)
    # The references of the priorities merged ones went into, read at once.
    merge_targets = dict(
        Priority.all_objects.filter(
            pk__in={getattr(change.record, "merged_into_id", None) for change in changes} - {None}
        ).values_list("pk", "reference")
    )
    for user_id, user_changes in per_user.items():
        key = f"status:{kind}:" + ",".join(str(change.pk) for change in user_changes)
        items = [
            {
                "change": change,
                "record": change.record,
                "url": site_url(change.record.get_absolute_url()),
                "mine": change.record.author_id == user_id,
                "merged_into": _merged_into(change, merge_targets),
            }
            for change in user_changes
        ]
        send_once(
            recipients[user_id],
            key[:100],
            "priorities/email/status",
            {"items": items, "kind": input_kind},
        )


def _merged_into(change, merge_targets: dict[int, str]) -> str:
    """The reference a merged priority went into, when this change is the merge note (the
    e-mail then says the note in the reader's language, not the planner's)."""
    reference = merge_targets.get(getattr(change.record, "merged_into_id", None))
    if reference and is_merge_note(change.public_text, reference):
        return reference
    return ""


@app.task(queue="email", retry=RETRY)
@closing_connections
def notify_reply(kind: str, reply_id: int) -> None:
    """Tell people about an elected member's reply: the input's author and its followers
    (supporters, the council's members); or, for the author's answer back, the member.
    One e-mail per person (key ``reply:{kind}:{reply}:{user}``), in their language; a
    reply hidden before the job ran is not sent."""
    input_kind = kinds.get(kind)
    reply = (
        input_kind.replies.objects.select_related(
            "author", "parent__author", *(f"record__{name}" for name in input_kind.select)
        )
        .filter(pk=reply_id)
        .first()
    )
    if reply is None or not reply.is_public:
        return
    record = reply.record
    if reply.parent_id is None:
        people = [record.author] if record.author else []
        people += list(record.followers())
        template = "priorities/email/reply"
    else:
        people = [reply.parent.author] if reply.parent.author else []
        template = "priorities/email/reply_answer"
    seen = {reply.author_id}
    for person in people:
        if person.pk in seen or not person.notify_by_email:
            continue
        seen.add(person.pk)
        send_once(
            person,
            f"reply:{kind}:{reply.pk}:{person.pk}",
            template,
            {
                "reply": reply,
                "record": record,
                "kind": input_kind,
                "mine": record.author_id == person.pk,
                "url": site_url(kinds.of(record).replies_url(record)),
            },
        )


@app.task(queue="email", retry=RETRY)
@closing_connections
def notify_hidden(priority_id: int) -> None:
    """Tell the author that a moderator hid their priority, and why."""
    priority = Priority.all_objects.select_related("author").get(pk=priority_id)
    if priority.author is None:
        return
    send_once(
        priority.author,
        f"hidden:{priority.pk}:{priority.hidden_reason[:40]}",
        "priorities/email/hidden",
        {"priority": priority, "url": site_url(priority.get_absolute_url())},
    )


@app.task(queue="exports", retry=RetryStrategy(max_attempts=3, wait=30))
@closing_connections
def build_export(export_id: int) -> None:
    """Write a large export to storage, reporting progress, and mark it ready."""
    export = Export.objects.select_related("municipality", "user").get(pk=export_id)
    # Named and labelled in the language of the planner who asked for it.
    with translation.override(export.user.language or settings.LANGUAGE_CODE):
        _build_export(export)


def _build_export(export) -> None:
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
    name = exports.file_name(export.municipality, query, export.format)
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
