"""What the priorities app plugs in when it is ready: priorities as a kind of input, the
re-assignment of priorities when areas change, and what closing an account does with a
resident's priorities and supports. Imported by ``PrioritiesConfig.ready``."""

from __future__ import annotations

from django.db.models import F, TextField, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from accounts import privacy
from areas.signals import areas_changed
from priorities import kinds
from priorities.models import (
    Priority,
    PriorityCaseLink,
    PriorityReply,
    PriorityStatusChange,
    Support,
)
from priorities.services import priorities_relocate


def _relocate(sender, area_ids, area_type_id, **kwargs) -> None:
    priorities_relocate(area_ids=area_ids, area_type_id=area_type_id)


areas_changed.connect(_relocate, weak=False, dispatch_uid="priorities_relocate")


def _supports_withdraw(supports) -> None:
    """Take each active support off its priority's count, then delete the supports."""
    active = supports.filter(withdrawn_at=None).values("priority_id")
    Priority.all_objects.filter(pk__in=active).update(support_count=F("support_count") - 1)
    supports.delete()


privacy.register_close_policy(
    {
        "priorities.Priority.author": privacy.DETACH,
        "priorities.Support.user": _supports_withdraw,
        "priorities.Report.user": privacy.KEEP,  # a moderation record about others' input
        "priorities.PriorityStatusChange.actor": privacy.KEEP,  # the loop: a public record
        "priorities.PriorityCaseLink.linked_by": privacy.KEEP,
        # A reply stays on the record (a councillor's under the name it was written
        # with), without the account.
        "priorities.PriorityReply.author": privacy.DETACH,
        "priorities.Export.user": privacy.KEEP,  # a logged staff action
    }
)


def priority_participants(records):
    """A priority's participants: its author and the residents who support it."""
    return [
        records.filter(author__isnull=False)
        .annotate(
            participant=Concat(
                Value("user:", output_field=TextField()), Cast("author_id", TextField())
            )
        )
        .order_by()
        .values_list("pk", "participant"),
        Support.objects.filter(priority__in=records.values("pk"), withdrawn_at__isnull=True)
        .annotate(
            participant=Concat(
                Value("user:", output_field=TextField()), Cast("user_id", TextField())
            )
        )
        .order_by()
        .values_list("priority_id", "participant"),
    ]


PRIORITY = kinds.register(
    kinds.InputKind(
        key="priority",
        model=Priority,
        status_changes=PriorityStatusChange,
        case_links=PriorityCaseLink,
        replies=PriorityReply,
        label=_("priority"),
        label_plural=_("priorities"),
        yours=_("your priority"),
        public=lambda queryset: queryset.filter(visibility="public"),
        select=("municipality", "author", "category"),
        # The digest's own figures (rollups, top priorities, map) are about priorities.
        in_digest=False,
        participants=priority_participants,
    )
)
