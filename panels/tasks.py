"""Background jobs of panels. Part A: the volunteer's receipt, the members' and
alternates' e-mails, each sent once in the volunteer's language, and the nightly deletion
of registers whose retention has passed. Part B: the members' personal links, the survey's
opening and the case's decision, each e-mailed once per member (``send_once``)."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from procrastinate.contrib.django import app

from accounts.notifications import send_once, site_url
from cases.models import CaseStatus
from core.tasks import RETRY, closing_connections
from panels.member_links import member_url
from panels.models import MemberAccess, PanelStatus, Volunteer, VolunteerStatus
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


# --- members' links and the outcome (issue 16, part B) --------------------------------------


@app.task(queue="email", retry=RETRY)
@closing_connections
def send_member_link(access_id: int) -> None:
    """E-mail a member their personal link, once per link (the key names the link's
    nonce: a renewed link is sent again, a retried job is not)."""
    access = (
        MemberAccess.objects.select_related("user", "volunteer__panel__case")
        .filter(pk=access_id, revoked_at__isnull=True, user__isnull=False)
        .first()
    )
    if access is None:
        return
    panel = access.volunteer.panel
    send_once(
        access.user,
        f"panel-member-link:{access.pk}:{access.nonce}",
        "panels/email/member_link",
        {
            "panel": panel,
            "case": panel.case,
            "name": access.volunteer.name,
            "url": member_url(access),
        },
    )


@app.periodic(cron="*/10 * * * *", periodic_id="panels-decisions")
@app.task(queue="email", queueing_lock="panels_tell_decisions", retry=RETRY)
@closing_connections
def tell_members_of_decisions(timestamp: int | None = None) -> int:
    """The feedback loop for panel members: when a panel's case is decided, e-mail each
    member (selected, with a link) the decision and a link to the case, once each (the
    key), in their account's language. Returns how many were sent now."""
    sent = 0
    accesses = (
        MemberAccess.objects.filter(
            volunteer__status=VolunteerStatus.SELECTED,
            volunteer__panel__case__status=CaseStatus.DECIDED,
            user__isnull=False,
        )
        .exclude(volunteer__panel__status=PanelStatus.DRAFT)
        .select_related("user", "volunteer__panel__case")
        .order_by("pk")
    )
    for access in accesses.iterator(chunk_size=200):
        panel = access.volunteer.panel
        case = panel.case
        sent += send_once(
            access.user,
            f"panel-decision:{panel.pk}:{access.volunteer_id}",
            "panels/email/member_decision",
            {
                "panel": panel,
                "case": case,
                "name": access.volunteer.name,
                "url": site_url(reverse("cases:detail", args=[case.pk])),
            },
        )
    return sent


@app.task(queue="email", retry=RETRY)
@closing_connections
def tell_members_survey_open(survey_id: int) -> int:
    """E-mail each member with a link that the survey is open, with their personal link,
    once each (the key), in their account's language. Returns how many were sent now."""
    sent = 0
    accesses = (
        MemberAccess.objects.filter(
            volunteer__panel__survey__pk=survey_id,
            volunteer__panel__survey__closed_at__isnull=True,
            volunteer__status=VolunteerStatus.SELECTED,
            revoked_at__isnull=True,
            user__isnull=False,
        )
        .select_related("user", "volunteer__panel__case")
        .order_by("pk")
    )
    for access in accesses.iterator(chunk_size=200):
        panel = access.volunteer.panel
        sent += send_once(
            access.user,
            f"panel-survey-open:{survey_id}:{access.volunteer_id}",
            "panels/email/member_survey",
            {
                "panel": panel,
                "case": panel.case,
                "name": access.volunteer.name,
                "url": member_url(access),
            },
        )
    return sent
