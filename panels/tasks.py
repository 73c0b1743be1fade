"""Background jobs of panels (part A): the volunteer's receipt, the members' and
alternates' e-mails, each sent once in the volunteer's language, and the nightly deletion
of registers whose retention has passed."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from procrastinate.contrib.django import app

from accounts.notifications import site_url
from core.tasks import RETRY, closing_connections
from panels.models import Volunteer, VolunteerStatus
from panels.retention import registers_delete_due


def _send(volunteer: Volunteer, template: str) -> None:
    with translation.override(volunteer.language):
        context = {
            "volunteer": volunteer,
            "panel": volunteer.panel,
            "url": site_url(reverse("panels:detail", args=[volunteer.panel_id])),
        }
        subject = render_to_string(f"panels/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"panels/email/{template}.txt", context)
    send_mail(subject, body, None, [volunteer.email])


@app.task(queue="email", retry=RETRY)
@closing_connections
def send_volunteer_receipt(volunteer_id: int) -> None:
    """The receipt for volunteering, once: the time it is sent is written in the
    transaction that sends it, so a retried job does not send it twice."""
    with transaction.atomic():
        volunteer = (
            Volunteer.objects.select_for_update(of=("self",))
            .select_related("panel")
            .filter(pk=volunteer_id, receipt_sent_at=None)
            .exclude(email="")
            .first()
        )
        if volunteer is None:
            return
        volunteer.receipt_sent_at = timezone.now()
        volunteer.save(update_fields=["receipt_sent_at"])
        _send(volunteer, "volunteer_receipt")


@app.task(queue="email", retry=RETRY)
@closing_connections
def tell_members(panel_id: int) -> int:
    """Tell each volunteer of the panel whether they are a member, an alternate or not
    chosen, once each (one transaction per e-mail: a retry sends only those not yet told).
    Returns how many were told now."""
    told = 0
    pending = Volunteer.objects.filter(
        panel_id=panel_id,
        told_at=None,
        status__in=[
            VolunteerStatus.SELECTED,
            VolunteerStatus.ALTERNATE,
            VolunteerStatus.NOT_SELECTED,
        ],
    ).values_list("pk", flat=True)
    for pk in list(pending):
        with transaction.atomic():
            volunteer = (
                Volunteer.objects.select_for_update(of=("self",))
                .select_related("panel")
                .filter(pk=pk, told_at=None)
                .first()
            )
            if volunteer is None or not volunteer.email:
                continue
            volunteer.told_at = timezone.now()
            volunteer.save(update_fields=["told_at"])
            template = {
                VolunteerStatus.SELECTED: "selection_member",
                VolunteerStatus.ALTERNATE: "selection_alternate",
            }.get(volunteer.status, "selection_not_chosen")
            _send(volunteer, template)
            told += 1
    return told


@app.periodic(cron="15 3 * * *", periodic_id="panels-register-retention")
@app.task(queue="privacy", queueing_lock="panels_register_retention", retry=RETRY)
@closing_connections
def delete_expired_registers(timestamp: int) -> int:
    """Every night: delete the register of each closed panel whose retention days after
    closing have passed, leaving a record. Returns how many registers."""
    return registers_delete_due(now=timezone.now())
