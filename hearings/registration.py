"""What the hearings app plugs in when it is ready: hearing answers as a kind of input (the
loop, the case link, the digest), the hearings' section of a case's digest (the planner's
summary by theme and the counts), and what closing an account does with its relations.
Imported by ``HearingsConfig.ready``."""

from __future__ import annotations

from django.db.models import Case, Q, TextField, Value, When
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import privacy
from cases import sections
from hearings.models import (
    Hearing,
    HearingAnswer,
    HearingAnswerCaseLink,
    HearingAnswerReply,
    HearingAnswerStatusChange,
    HearingTheme,
)
from hearings.summaries import hearing_summaries
from priorities import kinds
from priorities.models import Status


def digest_row(answer: HearingAnswer) -> dict:
    """A hearing answer as a row of a digest."""
    return {
        "id": answer.pk,
        "reference": answer.reference,
        "title": answer.hearing.title,
        "source": answer.public_name or str(_("name withheld")),
        "respondent": answer.respondent,
        "late": answer.late,
        "status": answer.status,
        "status_label": str(Status(answer.status).label),
        "created": answer.created_at.date().isoformat(),
        "url": reverse("hearings:answer_detail", args=[answer.pk]),
    }


def layer_properties(answer: HearingAnswer) -> dict:
    """A hearing answer in a case's map layer."""
    return {
        "reference": answer.reference,
        "title": answer.hearing.title,
        "status": answer.status,
        "url": answer.get_absolute_url(),
    }


def answer_participants(records):
    """A hearing answer's participant: the council it was filed for, else the organisation
    (by its organisation number), else the resident's account."""
    return [
        records.annotate(
            participant=Case(
                When(
                    council__isnull=False,
                    then=Concat(
                        Value("council:", output_field=TextField()), Cast("council_id", TextField())
                    ),
                ),
                When(
                    ~Q(organisation_number=""),
                    then=Concat(
                        Value("org:", output_field=TextField()),
                        Cast("organisation_number", TextField()),
                    ),
                ),
                When(
                    author__isnull=False,
                    then=Concat(
                        Value("user:", output_field=TextField()), Cast("author_id", TextField())
                    ),
                ),
                default=Concat(Value("answer:", output_field=TextField()), Cast("id", TextField())),
            )
        )
        .order_by()
        .values_list("pk", "participant")
    ]


HEARING_ANSWER = kinds.register(
    kinds.InputKind(
        key="hearing_answer",
        model=HearingAnswer,
        status_changes=HearingAnswerStatusChange,
        case_links=HearingAnswerCaseLink,
        label=_("hearing answer"),
        label_plural=_("hearing answers"),
        yours=_("your hearing answer"),
        public=lambda queryset: queryset.filter(visibility="public"),
        select=("municipality", "author", "hearing", "council"),
        digest_row=digest_row,
        list_template="hearings/_answer_list.html",
        geometry_field="geom",
        layer_properties=layer_properties,
        replies=HearingAnswerReply,
        participants=answer_participants,
    )
)


sections.register(
    sections.DigestSection(
        key="hearings",
        build=hearing_summaries,
        template="hearings/_digest_section.html",
        tracked=(Hearing, HearingTheme, HearingAnswer),
    )
)

privacy.register_close_policy(
    {
        "hearings.Hearing.created_by": privacy.KEEP,  # public administration
        "hearings.HearingAnswer.author": privacy.DETACH,  # the answer stays, as a record
        "hearings.HearingAnswerStatusChange.actor": privacy.KEEP,
        "hearings.HearingAnswerCaseLink.linked_by": privacy.KEEP,
        # An elected member's reply stays under the name it was written with.
        "hearings.HearingAnswerReply.author": privacy.DETACH,
        "hearings.HearingTheme.updated_by": privacy.KEEP,
    }
)
