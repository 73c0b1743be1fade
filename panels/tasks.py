"""Background jobs of panels."""

from __future__ import annotations

from django.urls import reverse
from procrastinate.contrib.django import app

from accounts.notifications import send_once, site_url
from cases.models import CaseStatus
from core.tasks import RETRY, closing_connections
from panels.member_links import member_url
from panels.models import MemberAccess, PanelStatus, VolunteerStatus

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
