"""What the councils app plugs in when it is ready: submissions as a kind of input (the
loop, the case link, the digest), and what closing an account does with its relations.
Imported by ``CouncilsConfig.ready``."""

from __future__ import annotations

from django.db.models import TextField, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import privacy
from councils.models import (
    Submission,
    SubmissionCaseLink,
    SubmissionReply,
    SubmissionStatusChange,
)
from priorities import kinds
from priorities.models import Status


def digest_row(submission: Submission) -> dict:
    """A submission as a row of a digest."""
    return {
        "id": submission.pk,
        "reference": submission.reference,
        "title": submission.title,
        "source": submission.council.name,
        "kind": submission.kind,
        "status": submission.status,
        "status_label": str(Status(submission.status).label),
        "created": submission.created_at.date().isoformat(),
        "consultation": submission.consultation_id,
        "url": reverse("councils:submission", args=[submission.pk]),
    }


def layer_properties(submission: Submission) -> dict:
    """A submission in a case's map layer."""
    return {
        "reference": submission.reference,
        "title": submission.title,
        "council": submission.council.name,
        "status": submission.status,
        "url": submission.get_absolute_url(),
    }


def digest_groups(rows: list[dict]) -> list[tuple[str, list[dict]]]:
    """Statements asked for in a consultation first, then the councils' other submissions."""
    return [
        (str(_("Consultation statements")), [row for row in rows if row["consultation"]]),
        (
            str(_("Other submissions from councils")),
            [row for row in rows if not row["consultation"]],
        ),
    ]


def submission_participants(records):
    """A submission's participant is its council (a body, whoever its secretary is)."""
    return [
        records.annotate(
            participant=Concat(
                Value("council:", output_field=TextField()), Cast("council_id", TextField())
            )
        )
        .order_by()
        .values_list("pk", "participant")
    ]


SUBMISSION = kinds.register(
    kinds.InputKind(
        key="submission",
        model=Submission,
        status_changes=SubmissionStatusChange,
        case_links=SubmissionCaseLink,
        replies=SubmissionReply,
        label=_("submission from a council"),
        label_plural=_("submissions from local councils"),
        yours=_("your council's submission"),
        public=lambda queryset: queryset.filter(withdrawn_at__isnull=True),
        select=("municipality", "author", "council"),
        digest_row=digest_row,
        digest_groups=digest_groups,
        list_template="councils/_submission_list.html",
        geometry_field="geom",
        layer_properties=layer_properties,
        participants=submission_participants,
    )
)

privacy.register_close_policy(
    {
        "councils.CouncilMembership.user": privacy.DELETE,
        "councils.Submission.author": privacy.KEEP,  # a council's submission: a public record
        "councils.SubmissionStatusChange.actor": privacy.KEEP,
        "councils.SubmissionCaseLink.linked_by": privacy.KEEP,
        # An elected member's reply stays under the name it was written with; the
        # secretary's answer back stays as the council's, without the account.
        "councils.SubmissionReply.author": privacy.DETACH,
        "councils.Consultation.created_by": privacy.KEEP,
    }
)
