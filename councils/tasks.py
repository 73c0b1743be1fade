"""Background jobs of the councils: telling secretaries that a statement is asked for."""

from __future__ import annotations

from procrastinate.contrib.django import app

from accounts.models import User
from accounts.notifications import send_once, site_url
from core.tasks import RETRY, closing_connections
from councils.models import Consultation


@app.task(queue="email", retry=RETRY)
@closing_connections
def notify_consultation(consultation_id: int) -> None:
    """Tell the secretaries of the councils asked that a statement is wanted, and by when."""
    consultation = Consultation.objects.select_related("case").get(pk=consultation_id)
    secretaries = User.objects.filter(
        council_memberships__council__in=consultation.councils.all(),
        council_memberships__role="secretary",
    ).distinct()
    for user in secretaries:
        send_once(
            user,
            f"consultation:{consultation.pk}",
            "councils/email/consultation",
            {"consultation": consultation, "url": site_url(consultation.get_absolute_url())},
        )
