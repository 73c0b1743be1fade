"""Background jobs of meetings: the confirmation link to a participant who left an e-mail
address at a meeting (the feedback loop's own e-mails go through ``priorities.tasks``)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from procrastinate.contrib.django import app

from accounts.notifications import site_url
from core.tasks import RETRY, closing_connections
from meetings.links import FOLLOW_LINK_DAYS, follow_token
from meetings.models import MeetingFollower


@app.task(queue="email", retry=RETRY)
@closing_connections
def send_follow_confirmation(follower_id: int) -> None:
    """E-mail the signed confirmation link, once per request: the time it is sent is
    written in the transaction that sends it, so a retried job does not send it twice."""
    with transaction.atomic():
        follower = (
            MeetingFollower.objects.select_for_update()
            .select_related("meeting")
            .filter(pk=follower_id, confirmation_sent_at=None, confirmed_at=None)
            .first()
        )
        if follower is None:
            return
        follower.confirmation_sent_at = timezone.now()
        follower.save(update_fields=["confirmation_sent_at"])
        meeting = follower.meeting
        url = site_url(
            reverse("meetings:follow_confirm", args=[meeting.short_code, follow_token(follower)])
        )
        with translation.override(follower.language or settings.LANGUAGE_CODE):
            context = {"meeting": meeting, "url": url, "site_url": settings.NABOLAGET_SITE_URL}
            subject = render_to_string("meetings/email/follow_subject.txt", context).strip()
            body = render_to_string("meetings/email/follow.txt", context)
        send_mail(subject, body, None, [follower.email])


@app.periodic(cron="45 3 * * *", periodic_id="forget_unconfirmed_followers")
@app.task(queue="privacy", queueing_lock="forget_unconfirmed_followers", retry=RETRY)
@closing_connections
def forget_unconfirmed_followers(timestamp: int) -> int:
    """Every night: forget the e-mail addresses left at a meeting and never confirmed, once
    their link has expired (FOLLOW_LINK_DAYS). Returns how many."""
    return forget_unconfirmed(now=timezone.now())


def forget_unconfirmed(*, now) -> int:
    cutoff = now - datetime.timedelta(days=FOLLOW_LINK_DAYS)
    deleted, _by_model = MeetingFollower.objects.filter(
        confirmed_at=None, created_at__lt=cutoff
    ).delete()
    return deleted
