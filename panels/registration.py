"""What the panels app plugs in when it is ready: its section of a case's digest (each
panel's sessions with their summaries and its closed survey's results), and what closing an
account does with its relations. Imported by ``PanelsConfig.ready``."""

from __future__ import annotations

from django.utils import timezone

from accounts import privacy
from cases import sections
from panels.models import (
    Panel,
    PanelSession,
    PanelStatus,
    SessionDetail,
    Survey,
    Volunteer,
    VolunteerStatus,
)
from panels.survey import survey_results


def panel_sections(case) -> dict | None:
    """The case's panels for its digest: per panel, its members' number, its sessions
    (when, where or digital, the planner's summary) and, once its survey is closed, the
    survey's results (suppressed as ``panels.survey`` says). None when no panel of the case
    has a session or a closed survey."""
    found = []
    for panel in Panel.objects.filter(case=case).exclude(status=PanelStatus.DRAFT).order_by("pk"):
        sessions = [
            {
                "title": session.meeting.title,
                "starts": timezone.localtime(session.meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
                "digital": session.digital,
                "place": "" if session.digital else session.meeting.place_name,
                "summary": getattr(getattr(session, "detail", None), "summary", "") or "",
                "url": session.meeting.get_absolute_url(),
            }
            for session in PanelSession.objects.filter(panel=panel)
            .select_related("meeting", "detail")
            .order_by("meeting__starts_at", "pk")
        ]
        survey = Survey.objects.filter(panel=panel, closed_at__isnull=False).first()
        if not sessions and survey is None:
            continue
        found.append(
            {
                "id": panel.pk,
                "title": panel.title,
                "members": Volunteer.objects.filter(
                    panel=panel, status=VolunteerStatus.SELECTED
                ).count(),
                "sessions": sessions,
                "survey": survey_results(survey) if survey is not None else None,
            }
        )
    return {"panels": found} if found else None


sections.register(
    sections.DigestSection(
        key="panels",
        build=panel_sections,
        template="panels/_digest_section.html",
        tracked=(SessionDetail, Survey),
    )
)

privacy.register_close_policy(
    {
        # Closing the account ends the member's link (the e-mails went to it); the survey
        # answers stay, tied to the member, not to the account.
        "panels.MemberAccess.user": privacy.DELETE,
        "panels.SessionDetail.summary_by": privacy.KEEP,  # who wrote it: staff audit
    }
)
