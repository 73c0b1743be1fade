"""E-mails to accounts, each sent once: in the account's language, recorded under a unique
key in the transaction that sends it, so a retried job does not send it twice.

The connection lost after an e-mail went out but before its record committed: the record
is written again on a new connection, so the retry does not send it twice. What remains
is the instant between the mail server's acceptance and that write if the worker process
itself dies then (at-least-once delivery in that window).
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import Notification

logger = logging.getLogger("priorities.tasks")


def site_url(path: str) -> str:
    return settings.NABOLAGET_SITE_URL.rstrip("/") + path


def send_once(
    user, key: str, template: str, context: dict, *, headers: dict[str, str] | None = None
) -> bool:
    """Send one e-mail to the account unless the key was sent before. True if sent now.

    ``headers`` are extra e-mail headers (e.g. ``List-Unsubscribe``, RFC 8058)."""
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
            EmailMessage(subject, body, None, [user.email], headers=headers).send()
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
