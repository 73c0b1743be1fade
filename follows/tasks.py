"""Delivering announcements by e-mail: at once (a job per announcement, or per bulk of
them), and the daily and weekly digests (periodic jobs), in each recipient's language.

The recipients are read a batch at a time (``follows.querysets``: one statement per batch,
the accounts and the announcements in one query each), leaving out those already sent the
e-mail; each e-mail is sent once under its key (``accounts.notifications.send_once``), so
a job retried after a crash or a killed worker sends nobody a second one (core/tasks.py).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django import app

from accounts.notifications import send_once, site_url
from core.tasks import RETRY, closing_connections
from follows.links import unsubscribe_token
from follows.models import Announcement, Frequency
from follows.querysets import Due, due_for_announcement, due_for_period

logger = logging.getLogger(__name__)


def immediate_key(announcement_ids: list[int]) -> str:
    """The notification key of the e-mail about these announcements (one, or a bulk)."""
    first = min(announcement_ids)
    if len(announcement_ids) == 1:
        return f"follow:{first}"
    return f"follow:{first}+{len(announcement_ids) - 1}:{max(announcement_ids)}"


@app.task(queue="email", retry=RETRY)
@closing_connections
def deliver_announcements(announcement_ids: list[int]) -> None:
    """E-mail the followers who want them at once about new announcements: one e-mail each
    (a bulk of announcements, e.g. 500 answers given at once, makes one e-mail too)."""
    send_announcements(announcement_ids)


def send_announcements(announcement_ids: list[int]) -> int:
    """The work of ``deliver_announcements``; how many e-mails were sent now."""
    key = immediate_key(announcement_ids)
    return deliver(
        lambda after: due_for_announcement(announcement_ids, key=key, after=after),
        key=lambda due: key,
        template="follows/email/announcement",
    )


@app.periodic(cron="0 7 * * *", periodic_id="follows-daily")
@app.task(queue="email", queueing_lock="follows_daily_digest", retry=RETRY)
@closing_connections
def send_daily_digests(timestamp: int) -> None:
    """Each morning, the day before's announcements to those who follow them daily."""
    send_digests(Frequency.DAILY, timestamp)


@app.periodic(cron="0 7 * * 1", periodic_id="follows-weekly")
@app.task(queue="email", queueing_lock="follows_weekly_digest", retry=RETRY)
@closing_connections
def send_weekly_digests(timestamp: int) -> None:
    """Each Monday morning, the week before's announcements to those who follow weekly."""
    send_digests(Frequency.WEEKLY, timestamp)


def digest_period(
    frequency: str, moment: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime, str]:
    """The period a digest sent at ``moment`` covers, [start, end) in local time, and its
    name: the day before (``2026-12-06``), or the ISO week before (``2026-W49``)."""
    local = timezone.localtime(moment)
    today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if frequency == Frequency.DAILY:
        start = _midnight(today.date() - datetime.timedelta(days=1))
        end = _midnight(today.date())
        return start, end, start.date().isoformat()
    monday = today.date() - datetime.timedelta(days=today.weekday())
    start = _midnight(monday - datetime.timedelta(days=7))
    end = _midnight(monday)
    year, week, _day = start.date().isocalendar()
    return start, end, f"{year}-W{week:02d}"


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def send_digests(frequency: str, timestamp: int) -> int:
    """One digest per account and period, of the announcements its follows reach; how many
    were sent now."""
    moment = datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)
    start, end, name = digest_period(frequency, moment)
    key = f"follow-digest:{frequency}:{name}"
    return deliver(
        lambda after: due_for_period(frequency, start, end, key=key, after=after),
        key=lambda due: key,
        template="follows/email/digest",
        extra={"frequency": frequency, "period": name},
    )


def deliver(
    fetch: Callable[[int], list[Due]],
    *,
    key: Callable[[Due], str],
    template: str,
    extra: dict | None = None,
) -> int:
    """Send the e-mails, a batch of recipients at a time; how many were sent now. The
    queries per batch do not grow with the batch (three), only the e-mails (one row each)."""
    user_model = get_user_model()
    sent = 0
    after = 0
    while batch := fetch(after):
        users = user_model.objects.in_bulk([due.user_id for due in batch])
        wanted = {pk for due in batch for pk in due.announcement_ids}
        announcements = Announcement.objects.select_related("municipality").in_bulk(wanted)
        for due in batch:
            user = users.get(due.user_id)
            if user is None:
                continue
            token = unsubscribe_token(user.pk, due.follow_ids)
            unsubscribe_url = site_url(reverse("follows:unsubscribe", args=[token]))
            items = [
                {"announcement": announcements[pk], "url": site_url(announcements[pk].url)}
                for pk in due.announcement_ids
                if pk in announcements
            ]
            sent += send_once(
                user,
                key(due)[:100],
                template,
                {
                    **(extra or {}),
                    "items": items,
                    "unsubscribe_url": unsubscribe_url,
                    "follows_url": site_url(reverse("follows:mine")),
                },
                headers={
                    "List-Unsubscribe": f"<{unsubscribe_url}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
        after = batch[-1].user_id
    logger.info("Sent %s follow e-mails", sent)
    return sent
