"""Background jobs of hearings: telling the invited councils' secretaries that a hearing
asks for their answer, and by when; the link that confirms an answer sent without an
account, and forgetting those never confirmed."""

from __future__ import annotations

import datetime
import functools

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from procrastinate.contrib.django import app

from accounts.models import User
from accounts.notifications import send_once, site_url
from core.tasks import RETRY, closing_connections
from hearings.links import ANSWER_LINK_DAYS, answer_token
from hearings.models import Hearing, UnconfirmedAnswer


@app.task(queue="email", retry=RETRY)
@closing_connections
def notify_invited(hearing_id: int) -> None:
    """E-mail the secretaries of the invited councils, and the accounts with an invited
    organisation's address, once each."""
    hearing = Hearing.objects.select_related("case").get(pk=hearing_id)
    invited = (
        User.objects.annotate(address=Lower("email"))
        .filter(
            Q(
                council_memberships__council__in=hearing.invited_councils.all(),
                council_memberships__role="secretary",
            )
            | Q(address__in=hearing.invited_emails)
        )
        .distinct()
        .order_by("pk")
    )
    for user in invited:
        send_once(
            user,
            f"hearing:{hearing.pk}:invited",
            "hearings/email/invited",
            {"hearing": hearing, "url": site_url(hearing.get_absolute_url())},
        )


@app.task(queue="email", retry=RETRY)
@closing_connections
def send_answer_confirmation(unconfirmed_id: int) -> None:
    """E-mail the signed link that confirms an answer sent without an account, in the
    language it was written in; once: the time it is sent is written in the transaction
    that sends it, so a retried job does not send it twice."""
    with transaction.atomic():
        unconfirmed = (
            UnconfirmedAnswer.objects.select_for_update()
            .filter(pk=unconfirmed_id, confirmation_sent_at=None, answer=None)
            .first()
        )
        if unconfirmed is None:
            return
        unconfirmed.confirmation_sent_at = timezone.now()
        unconfirmed.save(update_fields=["confirmation_sent_at"])
        hearing = Hearing.objects.get(pk=unconfirmed.hearing_id)
        url = site_url(
            reverse("hearings:answer_confirm", args=[hearing.pk, answer_token(unconfirmed)])
        )
        with translation.override(unconfirmed.language or settings.LANGUAGE_CODE):
            context = {"hearing": hearing, "url": url, "days": ANSWER_LINK_DAYS}
            subject = render_to_string("hearings/email/confirm_subject.txt", context).strip()
            body = render_to_string("hearings/email/confirm.txt", context)
        send_mail(subject, body, None, [unconfirmed.email])


@app.periodic(cron="50 3 * * *", periodic_id="forget_unconfirmed_answers")
@app.task(queue="privacy", queueing_lock="forget_unconfirmed_answers", retry=RETRY)
@closing_connections
def forget_unconfirmed_answers(timestamp: int) -> int:
    """Every night: delete the answers sent without an account and never confirmed, once
    their link has expired (``hearings.links.ANSWER_LINK_DAYS``). Returns how many."""
    return unconfirmed_answers_forget(now=timezone.now())


def unconfirmed_answers_forget(*, now) -> int:
    """Delete the answers sent without an account whose link has expired: those never
    confirmed with their files (they were never on the record), and the rows of those
    confirmed (their answer and its files stay). Returns how many were never confirmed."""
    # A day's margin: the link is signed when the e-mail is sent, a little after the
    # answer was kept, and must have expired before its answer is forgotten.
    expired = UnconfirmedAnswer.objects.filter(
        created_at__lt=now - datetime.timedelta(days=ANSWER_LINK_DAYS + 1)
    )
    never = 0
    for unconfirmed in expired.filter(answer=None).prefetch_related("attachments"):
        with transaction.atomic():
            files = [pdf.file for pdf in unconfirmed.attachments.all()]
            unconfirmed.delete()
            never += 1
            for file in files:
                transaction.on_commit(functools.partial(file.storage.delete, file.name))
    expired.exclude(answer=None).delete()
    return never
