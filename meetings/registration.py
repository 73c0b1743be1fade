"""What the meetings app plugs in when it is ready: the input gathered at meetings as a kind
of input (the loop, the case link, the digest), and what closing an account does with its
relations. Imported by ``MeetingsConfig.ready``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts import privacy
from meetings.models import (
    MeetingInput,
    MeetingInputCaseLink,
    MeetingInputReply,
    MeetingInputStatusChange,
    ParticipantCount,
)
from priorities import kinds
from priorities.models import Status


def digest_row(record: MeetingInput) -> dict:
    """Meeting input as a row of a digest."""
    return {
        "id": record.pk,
        "reference": record.reference,
        "title": record.title,
        "source": record.meeting.title,
        "status": record.status,
        "status_label": str(Status(record.status).label),
        "created": record.created_at.date().isoformat(),
        "url": record.get_absolute_url(),
    }


def layer_properties(record: MeetingInput) -> dict:
    """Meeting input in a case's map layer."""
    return {
        "reference": record.reference,
        "title": record.title,
        "meeting": record.meeting.title,
        "status": record.status,
        "url": record.get_absolute_url(),
    }


def counted_participants(municipality_id: int, since=None, until=None):
    """The people who took part in the municipality's meetings (not hidden, not cancelled,
    starting in the period: dates, both included), by age group where it was asked, in each of a meeting's
    areas. Meeting input is recorded by a planner: its author is not a participant."""
    counts = ParticipantCount.objects.filter(
        meeting__municipality_id=municipality_id,
        meeting__hidden_at__isnull=True,
        meeting__cancelled_at__isnull=True,
        meeting__areas__isnull=False,
    )
    if since is not None:
        counts = counts.filter(meeting__starts_at__date__gte=since)
    if until is not None:
        counts = counts.filter(meeting__starts_at__date__lte=until)
    return counts.order_by().values_list("meeting__areas", "age_group", "count")


MEETING_INPUT = kinds.register(
    kinds.InputKind(
        key="meeting_input",
        model=MeetingInput,
        status_changes=MeetingInputStatusChange,
        case_links=MeetingInputCaseLink,
        label=_("input from a meeting"),
        label_plural=_("input from meetings and workshops"),
        public=lambda queryset: queryset.filter(meeting__hidden_at__isnull=True),
        select=("municipality", "author", "meeting"),
        digest_row=digest_row,
        list_template="meetings/_input_list.html",
        geometry_field="geom",
        layer_properties=layer_properties,
        replies=MeetingInputReply,
        participants=lambda records: [],
        counted_participants=counted_participants,
    )
)

privacy.register_close_policy(
    {
        "meetings.Meeting.created_by": privacy.KEEP,  # a public record, like a case
        "meetings.MeetingInput.author": privacy.KEEP,
        "meetings.MeetingInput.recorded_by": privacy.KEEP,  # who recorded it: staff audit
        # An elected member's reply stays under the name it was written with (as on
        # priorities and submissions).
        "meetings.MeetingInputReply.author": privacy.DETACH,
        "meetings.MeetingInputStatusChange.actor": privacy.KEEP,
        "meetings.MeetingInputCaseLink.linked_by": privacy.KEEP,
        # Following a meeting is a personal "keep me informed", not a record.
        "meetings.MeetingFollower.user": privacy.DELETE,
    }
)
