"""Background jobs of hearings: telling the invited councils' secretaries that a hearing
asks for their answer, and by when."""

from __future__ import annotations

from django.db.models import Q
from django.db.models.functions import Lower
from procrastinate.contrib.django import app

from accounts.models import User
from accounts.notifications import send_once, site_url
from core.tasks import RETRY, closing_connections
from hearings.models import Hearing


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
