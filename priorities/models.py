"""Residents' input and the feedback loop.

- ``Category``: what input is about.
- ``InputRecord``: what priorities and (council) submissions share: a reference
  number, a municipality, an author, a status and the areas they concern.
- ``Priority`` (prioritet): a resident's point on the map; ``Support`` from others.
- ``StatusChange`` and ``CaseLink``: the feedback loop (tilbakemeldingssløyfe) and the
  link to a case, the same for every kind of input. Each kind has its own two tables
  (``PriorityStatusChange``, ``PriorityCaseLink`` …), made from these abstract models, so
  that every row points at its input with a real foreign key; ``priorities.kinds`` is
  where a kind registers itself, and the loop, the link and the digest read it there.
- ``Reply``: an elected member's own public reply to input, and the author's answer back;
  abstract too (``PriorityReply``), declared with ``reply_meta``.
- ``Report`` (a resident flags input for moderation), ``ReferenceCounter`` (receipt
  numbers).
"""

from __future__ import annotations

from collections import defaultdict

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MaxLengthValidator, MinLengthValidator, RegexValidator
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from areas.models import STORAGE_SRID
from core.history import append_only_history, never_truncated, only_cleared
from core.models import TranslatedName
from core.text import NormalisedTextMixin
from priorities.querysets import (
    CategoryQuerySet,
    PriorityAnswerDaysQuerySet,
    PriorityAreaMonthQuerySet,
    PriorityAreaStatQuerySet,
    PriorityMapCellQuerySet,
    PriorityQuerySet,
    PriorityUnansweredDayQuerySet,
    PublicPriorityManager,
)

REPLY_MIN_LENGTH = 5
REPLY_MAX_LENGTH = 4000

case_number_validator = RegexValidator(
    r"^\d{4}/\d{1,7}$", _("A case number is written like the archive does: 2026/1234.")
)


class Category(TranslatedName):
    """A category of input (kategori), e.g. traffic safety. Default ones have no municipality."""

    slug = models.SlugField(_("slug"), max_length=50)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour like #1f77b4."))],
    )
    municipality = models.ForeignKey(
        "areas.Municipality",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="categories",
        verbose_name=_("municipality"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "municipality"], name="category_unique_slug", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    """Where a piece of input stands in the feedback loop."""

    RECEIVED = "received", _("received")
    UNDER_CONSIDERATION = "under_consideration", _("under consideration")
    IN_CASE = "in_case", _("included in a case")
    DECIDED = "decided", _("decided")
    IMPLEMENTED = "implemented", _("implemented")
    NOT_PURSUED = "not_pursued", _("not pursued")
    # Given only by merging (priorities.services.priority_merge): the record lives on in the
    # one it was merged into, which its page links to.
    MERGED = "merged", _("merged into another")

    @classmethod
    def answers(cls) -> list[tuple[str, str]]:
        """The statuses a planner answers with: not the first, not the one merging gives."""
        return [c for c in cls.choices if c[0] not in (cls.RECEIVED, cls.MERGED)]


class Visibility(models.TextChoices):
    PUBLIC = "public", _("public")
    HIDDEN = "hidden", _("hidden by a moderator")
    PENDING_REVIEW = "pending_review", _("hidden until a moderator has looked at it")
    MERGED = "merged", _("merged into another priority")


class InputRecord(NormalisedTextMixin, models.Model):
    """What every kind of input shares: receipt, municipality, author, status, areas."""

    reference = models.CharField(_("reference number"), max_length=20, unique=True)
    municipality = models.ForeignKey(
        "areas.Municipality", models.PROTECT, verbose_name=_("municipality")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("author")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    first_answered_at = models.DateTimeField(_("first answered"), null=True, blank=True)

    class Meta:
        abstract = True

    def followers(self):
        """Accounts besides the author who hear about each answer (a QuerySet of accounts;
        none unless the kind of input has followers)."""
        return self._meta.get_field("author").related_model.objects.none()

    @classmethod
    def followers_of(cls, records) -> dict[int, list]:
        """The followers of each of these records (by id), read in one query."""
        return {}


class StatusChange(NormalisedTextMixin, models.Model):
    """One step of the feedback loop: a new status with its public text. Append-only.

    Abstract: each kind of input has its own table (``record`` is its foreign key, with
    ``related_name="status_changes"``), declared with ``status_change_triggers``. On the
    record (database triggers): never deleted and never rewritten. The one change allowed
    is ``actor`` becoming NULL when that staff account is deleted (the role that answered,
    ``actor_role``, stays).
    """

    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    previous_status = models.CharField(
        _("previous status"), max_length=20, choices=Status.choices, blank=True
    )
    public_text = models.TextField(
        _("public answer"),
        max_length=4000,
        validators=[MinLengthValidator(5), MaxLengthValidator(4000)],
    )
    case_number = models.CharField(
        _("case number"), max_length=20, blank=True, validators=[case_number_validator]
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_role = models.CharField(_("answered by"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.created_at:%Y-%m-%d})"


def status_change_triggers(name: str) -> list:
    """The triggers that keep a kind's status changes on the record (``name``: its table's
    model name in lower case, which keeps the trigger names unique)."""
    return [
        pgtrigger.Protect(name=f"{name}_never_deleted", operation=pgtrigger.Delete),
        never_truncated(name),
        pgtrigger.ReadOnly(name=f"{name}_read_only", exclude=["actor"]),
        only_cleared(f"{name}_actor_only_cleared", "actor"),
    ]


class CaseLink(models.Model):
    """A piece of input linked to a case, by the case's number in the record's municipality
    (as the archive writes it, 2026/1234): the one place where "linked to a case" is kept.

    Made by the feedback loop when an answer names a case (status "included in a case",
    from the planner or the case page) or when a council files a statement on a case. Keyed
    by the number, not by a case row: an answer that names a case before the case is
    registered here is a link as soon as it is. Abstract, like ``StatusChange``: each kind
    has its own table (``record``, ``related_name="case_links"``). Part of the record:
    never changed or deleted; ``linked_by`` only becomes empty when that account is deleted.
    """

    municipality = models.ForeignKey("areas.Municipality", models.PROTECT, related_name="+")
    case_number = models.CharField(
        _("case number"), max_length=20, validators=[case_number_validator]
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["linked_at", "id"]

    def __str__(self) -> str:
        return f"{self.record_id} in {self.case_number}"


def case_link_meta(name: str) -> tuple[list, list, list]:
    """A kind's case links' ``Meta`` constraints, indexes and triggers: one link per record
    and case number, an index to find a case's links, and the triggers that keep them on
    the record (``name``: the model's name in lower case)."""
    return (
        [
            models.UniqueConstraint(
                fields=["record", "municipality", "case_number"], name=f"{name}_unique"
            )
        ],
        [models.Index(fields=["municipality", "case_number"], name=f"{name}_case")],
        [
            pgtrigger.Protect(name=f"{name}_never_deleted", operation=pgtrigger.Delete),
            never_truncated(name),
            pgtrigger.ReadOnly(name=f"{name}_read_only", exclude=["linked_by"]),
            only_cleared(f"{name}_linked_by_only_cleared", "linked_by"),
        ],
    )


class ReplyVisibility(models.TextChoices):
    PUBLIC = "public", _("public")
    HIDDEN = "hidden", _("hidden by a moderator")


class ReplyRole(models.TextChoices):
    COUNCILLOR = "councillor", _("elected member")
    AUTHOR = "author", _("the author's answer")


class Reply(NormalisedTextMixin, models.Model):
    """An elected member's own public reply to a piece of input (not the administration's
    answer: it changes no status), or the input's author answering it back, once.

    Abstract, like ``StatusChange``: each kind with replies has its own table (``record``
    its foreign key, ``related_name="replies"``), declared with ``reply_meta``. A reply has
    no ``parent``; the author's answer back has the reply as its ``parent``, and the
    database allows one per reply (a unique constraint) and only in that shape (a check).
    Who the councillor was is copied (name, party, elected body), so the record stays true
    after an election. On the record (triggers): never deleted; what was said never
    changes; a moderator may hide one with a reason (and show it again); ``author`` only
    becomes NULL when that account is closed.
    """

    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("answers the reply"),
    )
    role = models.CharField(_("written by"), max_length=20, choices=ReplyRole.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    party = models.CharField(_("party"), max_length=100, blank=True)
    elected_body = models.CharField(_("elected body"), max_length=100, blank=True)
    text = models.TextField(
        _("reply"),
        max_length=REPLY_MAX_LENGTH,
        validators=[MinLengthValidator(REPLY_MIN_LENGTH), MaxLengthValidator(REPLY_MAX_LENGTH)],
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    visibility = models.CharField(
        _("visibility"),
        max_length=20,
        choices=ReplyVisibility.choices,
        default=ReplyVisibility.PUBLIC,
    )
    hidden_reason = models.TextField(_("reason for hiding"), blank=True, max_length=500)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")

    def __str__(self) -> str:
        return f"reply {self.pk} to {self.record_id}"

    @property
    def is_public(self) -> bool:
        return self.visibility == ReplyVisibility.PUBLIC

    @property
    def signature(self) -> str:
        """Who replied, as shown with the reply: name, party, elected body (as they were)."""
        return ", ".join(part for part in (self.name, self.party, self.elected_body) if part)


REPLY_CHANGING_FIELDS = ["visibility", "hidden_reason", "author"]


def reply_meta(name: str) -> tuple[list, list, list]:
    """A kind's replies' ``Meta`` constraints, indexes and triggers (``name``: the model's
    name in lower case): one answer back per reply, a reply is a councillor's and an
    answer back the author's, and the row stays on the record."""
    return (
        [
            models.UniqueConstraint(fields=["parent"], name=f"{name}_one_answer_back"),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, role=ReplyRole.COUNCILLOR)
                | Q(parent__isnull=False, role=ReplyRole.AUTHOR),
                name=f"{name}_shape",
            ),
            models.CheckConstraint(
                condition=Q(visibility=ReplyVisibility.PUBLIC) | ~Q(hidden_reason=""),
                name=f"{name}_hidden_with_reason",
            ),
        ],
        [models.Index(fields=["record", "created_at"], name=f"{name}_record")],
        [
            pgtrigger.Protect(name=f"{name}_never_deleted", operation=pgtrigger.Delete),
            never_truncated(name),
            pgtrigger.ReadOnly(name=f"{name}_read_only", exclude=REPLY_CHANGING_FIELDS),
            only_cleared(f"{name}_author_only_cleared", "author"),
        ],
    )


# Grid sizes (metres) of the map rollup. Finer zoom levels aggregate the points directly.
# The most supports a priority can have: support_count is a PostgreSQL integer.
MAX_SUPPORT = 2**31 - 1
MAP_CELL_LEVELS = (250, 1000, 4000, 16000)

_MAP_CELL_LEVELS_SQL = ", ".join(str(level) for level in MAP_CELL_LEVELS)
_MAP_CELL_TRIGGER = f"""
    IF TG_OP = 'UPDATE' AND OLD.point = NEW.point AND OLD.visibility = NEW.visibility
       AND OLD.status = NEW.status AND OLD.category_id = NEW.category_id
       AND OLD.municipality_id = NEW.municipality_id THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.visibility = 'public' THEN
        UPDATE priorities_prioritymapcell c
           SET count = c.count - 1, sum_x = c.sum_x - ST_X(OLD.point), sum_y = c.sum_y - ST_Y(OLD.point)
          FROM unnest(ARRAY[{_MAP_CELL_LEVELS_SQL}]) AS l(size)
         WHERE c.level = l.size
           AND c.cx = floor(ST_X(OLD.point) / l.size)::int AND c.cy = floor(ST_Y(OLD.point) / l.size)::int
           AND c.municipality_id = OLD.municipality_id AND c.category_id = OLD.category_id
           AND c.status = OLD.status;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.visibility = 'public' THEN
        INSERT INTO priorities_prioritymapcell AS c
               (level, cx, cy, municipality_id, category_id, status, count, sum_x, sum_y)
        SELECT l.size, floor(ST_X(NEW.point) / l.size)::int, floor(ST_Y(NEW.point) / l.size)::int,
               NEW.municipality_id, NEW.category_id, NEW.status, 1, ST_X(NEW.point), ST_Y(NEW.point)
          FROM unnest(ARRAY[{_MAP_CELL_LEVELS_SQL}]) AS l(size)
        ON CONFLICT (level, cx, cy, municipality_id, category_id, status) DO UPDATE
           SET count = c.count + 1, sum_x = c.sum_x + EXCLUDED.sum_x, sum_y = c.sum_y + EXCLUDED.sum_y;
    END IF;
    RETURN NULL;
"""


@pghistory.track(
    pghistory.InsertEvent(),
    # The whole row compared at once: a list of per-column comparisons would compare the
    # point with PostGIS's "=", which a restore from pg_dump (empty search path) cannot find.
    pghistory.UpdateEvent(condition=pgtrigger.Condition("OLD.* IS DISTINCT FROM NEW.*")),
    exclude=["search_vector"],
)
class Priority(InputRecord):
    """A resident's priority (prioritet): "this matters here", pinned at a point."""

    point = models.PointField(_("place"), srid=STORAGE_SRID, spatial_index=True)
    category = models.ForeignKey(
        Category, models.PROTECT, related_name="priorities", verbose_name=_("category")
    )
    title = models.CharField(_("title"), max_length=120, validators=[MinLengthValidator(3)])
    text = models.TextField(
        _("why it matters"),
        max_length=2000,
        validators=[MinLengthValidator(10), MaxLengthValidator(2000)],
    )
    support_count = models.PositiveIntegerField(_("supports"), default=0)
    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    areas = models.ManyToManyField(
        "areas.Area", related_name="priorities", blank=True, verbose_name=_("areas")
    )
    merged_into = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
        help_text=_(
            "A duplicate stays on the record and points to the priority it was merged into."
        ),
    )
    # Full-text search with Norwegian stemming (PostgreSQL's 'norwegian' configuration).
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config="norwegian")
        + SearchVector("text", weight="B", config="norwegian"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    # No plain ``objects``: a view must say whether it may see hidden input.
    public_objects = PublicPriorityManager()
    all_objects = PriorityQuerySet.as_manager()

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        base_manager_name = "all_objects"
        default_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["municipality", "status"], name="priority_muni_status"),
            models.Index(fields=["category", "created_at"], name="priority_category_created"),
            models.Index(
                fields=["municipality", "-created_at", "-id"], name="priority_muni_newest"
            ),
            models.Index(
                fields=["municipality", "-support_count", "-id"], name="priority_muni_support"
            ),
            GinIndex(fields=["search_vector"], name="priority_search"),
            # Unanswered input by age: the digests' "older than the promised answer time".
            models.Index(
                fields=["municipality", "created_at"],
                condition=Q(first_answered_at__isnull=True, visibility="public"),
                name="priority_unanswered",
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="priority_never_deleted", operation=pgtrigger.Delete),
            never_truncated("priority"),
            pgtrigger.Trigger(
                name="priority_map_cells",
                when=pgtrigger.After,
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                func=_MAP_CELL_TRIGGER,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("priorities:detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC

    def followers(self):
        """Residents who support the priority now."""
        return self._meta.get_field("author").related_model.objects.filter(
            supports__priority=self, supports__withdrawn_at=None
        )

    @classmethod
    def followers_of(cls, records) -> dict[int, list]:
        """The residents supporting each of these priorities now (by id), in one query."""
        followers = defaultdict(list)
        supports = Support.objects.filter(
            priority__in=[record.pk for record in records], withdrawn_at=None
        ).select_related("user")
        for support in supports:
            followers[support.priority_id].append(support.user)
        return followers


@pghistory.track()
class Support(models.Model):
    """One resident's support for a priority; withdrawing keeps the row (withdrawn_at)."""

    priority = models.ForeignKey(Priority, models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="supports")
    created_at = models.DateTimeField(_("supported"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["priority", "user"], name="support_one_per_resident")
        ]

    def __str__(self) -> str:
        return f"support {self.pk} for {self.priority_id}"


@pghistory.track(meta=append_only_history("prioritystatuschangeevent"))
class PriorityStatusChange(StatusChange):
    """A step of a priority's feedback loop (see ``StatusChange``)."""

    record = models.ForeignKey(Priority, models.PROTECT, related_name="status_changes")

    class Meta(StatusChange.Meta):
        triggers = status_change_triggers("prioritystatuschange")


@pghistory.track(meta=append_only_history("prioritycaselinkevent"))
class PriorityCaseLink(CaseLink):
    """A priority linked to a case (see ``CaseLink``)."""

    record = models.ForeignKey(Priority, models.PROTECT, related_name="case_links")

    class Meta(CaseLink.Meta):
        constraints, indexes, triggers = case_link_meta("prioritycaselink")


@pghistory.track(meta=append_only_history("priorityreplyevent"))
class PriorityReply(Reply):
    """An elected member's reply to a priority, or its author's answer back (see ``Reply``)."""

    record = models.ForeignKey(Priority, models.PROTECT, related_name="replies")

    class Meta(Reply.Meta):
        constraints, indexes, triggers = reply_meta("priorityreply")


@pghistory.track()
class Report(NormalisedTextMixin, models.Model):
    """A resident reports a priority to the moderators (one report per resident)."""

    priority = models.ForeignKey(Priority, models.CASCADE, related_name="reports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(fields=["priority", "user"], name="report_one_per_resident")
        ]

    def __str__(self) -> str:
        return f"report {self.pk} on {self.priority_id}"


class ReferenceCounter(models.Model):
    """The last receipt number given for a prefix and year (NB-2026-000123)."""

    prefix = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="referencecounter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class PriorityMapCell(models.Model):
    """Pre-aggregated public priorities per grid cell, for the zoomed-out map.

    Kept exact by a database trigger on Priority (insert, update of place,
    visibility, status, category or municipality, delete), so bulk loads and
    bulk updates keep it right too. ``sum_x``/``sum_y`` (storage SRID) give the
    cluster's centre of mass.
    """

    level = models.PositiveIntegerField()
    cx = models.IntegerField()
    cy = models.IntegerField()
    municipality = models.ForeignKey("areas.Municipality", models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices)
    count = models.IntegerField(default=0)
    sum_x = models.FloatField(default=0)
    sum_y = models.FloatField(default=0)

    objects = PriorityMapCellQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["level", "cx", "cy", "municipality", "category", "status"],
                name="prioritymapcell_unique",
            )
        ]
        indexes = [
            models.Index(fields=["municipality", "level", "cx", "cy"], name="mapcell_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.level} m cell ({self.cx}, {self.cy}): {self.count}"


class AreaRollup(models.Model):
    """What every per-area rollup row has: its municipality and its area (NULL: the whole
    municipality). The rows are written by database triggers only (``priorities.rollups``)."""

    municipality = models.ForeignKey("areas.Municipality", models.CASCADE, related_name="+")
    area = models.ForeignKey("areas.Area", models.CASCADE, null=True, related_name="+")

    class Meta:
        abstract = True


class PriorityAreaStat(AreaRollup):
    """Public priorities per (municipality, area, category, status, answered): how many,
    and their supports. ``area`` NULL is the whole municipality.

    Kept exact by statement-level triggers on priorities and their area links
    (``priorities.rollups``); never written by application code.
    """

    category = models.ForeignKey(Category, models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices)
    answered = models.BooleanField()
    count = models.IntegerField(default=0)
    supports = models.BigIntegerField(default=0)

    objects = PriorityAreaStatQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "area", "category", "status", "answered"],
                name="priorityareastat_unique",
                nulls_distinct=False,
            )
        ]
        indexes = [models.Index(fields=["area"], name="areastat_area")]

    def __str__(self) -> str:
        return (
            f"{self.area_id or self.municipality_id} {self.category_id} {self.status}: {self.count}"
        )


class PriorityAreaMonth(AreaRollup):
    """Public priorities per (municipality, area, month created, Norwegian time): the trend.
    ``area`` NULL is the whole municipality. Kept exact by the same triggers."""

    month = models.DateField()
    count = models.IntegerField(default=0)

    objects = PriorityAreaMonthQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "area", "month"],
                name="priorityareamonth_unique",
                nulls_distinct=False,
            )
        ]
        indexes = [models.Index(fields=["area"], name="areamonth_area")]

    def __str__(self) -> str:
        return f"{self.area_id or self.municipality_id} {self.month:%Y-%m}: {self.count}"


class PriorityAnswerDays(AreaRollup):
    """Answered public priorities per (municipality, area, category, status, whole days from
    creation to the first public answer): the histogram medians are read from.
    ``area`` NULL is the whole municipality. Kept exact by the same triggers."""

    category = models.ForeignKey(Category, models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices)
    days = models.IntegerField()
    count = models.IntegerField(default=0)

    objects = PriorityAnswerDaysQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "area", "category", "status", "days"],
                name="priorityanswerdays_unique",
                nulls_distinct=False,
            )
        ]
        indexes = [models.Index(fields=["area"], name="answerdays_area")]

    def __str__(self) -> str:
        return f"{self.area_id or self.municipality_id} {self.days} days: {self.count}"


class PriorityUnansweredDay(AreaRollup):
    """Public priorities without an answer per (municipality, area, day created, in Norwegian
    time): what is older than the promised answer time. ``area`` NULL is the whole
    municipality. Kept exact by the same triggers."""

    day = models.DateField()
    count = models.IntegerField(default=0)

    objects = PriorityUnansweredDayQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "area", "day"],
                name="priorityunansweredday_unique",
                nulls_distinct=False,
            )
        ]
        indexes = [models.Index(fields=["area"], name="unanswered_area")]

    def __str__(self) -> str:
        return f"{self.area_id or self.municipality_id} {self.day}: {self.count}"


class AnswerTemplate(NormalisedTextMixin, models.Model):
    """A ready-made public answer a planner can start from (per municipality)."""

    municipality = models.ForeignKey(
        "areas.Municipality", models.CASCADE, related_name="answer_templates"
    )
    title = models.CharField(_("name"), max_length=100)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    text = models.TextField(_("answer"), max_length=4000)

    class Meta:
        ordering = ["title"]
        verbose_name = _("answer template")
        verbose_name_plural = _("answer templates")

    def __str__(self) -> str:
        return self.title


class Export(models.Model):
    """An export a planner asked for: the filter, the format, whether personal data was
    included (a logged choice), and, for large ones made in the background, the file."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        GEOJSON = "geojson", "GeoJSON"
        GPKG = "gpkg", "GeoPackage"

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    municipality = models.ForeignKey("areas.Municipality", models.PROTECT, related_name="+")
    format = models.CharField(max_length=10, choices=Format.choices)
    query = models.CharField(_("filter"), max_length=2000, blank=True)
    include_personal_data = models.BooleanField(default=False)
    rows = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DONE)
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.get_format_display()} export {self.pk}"
