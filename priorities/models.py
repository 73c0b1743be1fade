"""Residents' input and the feedback loop.

- ``Category``: what input is about.
- ``InputRecord``: what priorities and (council) submissions share: a reference
  number, a municipality, an author, a status and the areas they concern.
- ``Priority`` (prioritet): a resident's point on the map; ``Support`` from others.
- ``StatusChange``: the feedback loop (tilbakemeldingssløyfe), one table for every kind
  of input: each change of status with its public text, the staff role and a case.
- ``Report`` (a resident flags input for moderation), ``Notification`` (each e-mail sent,
  once), ``ReferenceCounter`` (receipt numbers).
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

from areas.models import STORAGE_SRID, CouncilMembership
from nabolaget.history import append_only_history, never_truncated, only_cleared
from nabolaget.models import Role, TranslatedName
from nabolaget.text import NormalisedTextMixin
from priorities.querysets import (
    CategoryQuerySet,
    PriorityAnswerDaysQuerySet,
    PriorityAreaMonthQuerySet,
    PriorityAreaStatQuerySet,
    PriorityMapCellQuerySet,
    PriorityQuerySet,
    PriorityUnansweredDayQuerySet,
    PublicPriorityManager,
    SubmissionQuerySet,
)

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

    # The StatusChange field that points at this kind of input.
    status_field = ""

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

    status_field = "priority"

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


@pghistory.track(meta=append_only_history("statuschangeevent"))
class StatusChange(NormalisedTextMixin, models.Model):
    """One step of the feedback loop: a new status with its public text. Append-only.

    On the record (database triggers): never deleted and never rewritten. The one change
    allowed is ``actor`` becoming NULL when that staff account is deleted (the role that
    answered, ``actor_role``, stays).
    """

    priority = models.ForeignKey(
        Priority, models.PROTECT, null=True, blank=True, related_name="status_changes"
    )
    submission = models.ForeignKey(
        "Submission", models.PROTECT, null=True, blank=True, related_name="status_changes"
    )
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
        ordering = ["created_at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        constraints = [
            models.CheckConstraint(
                condition=Q(priority__isnull=False, submission__isnull=True)
                | Q(priority__isnull=True, submission__isnull=False),
                name="statuschange_one_target",
            )
        ]
        triggers = [
            pgtrigger.Protect(name="statuschange_never_deleted", operation=pgtrigger.Delete),
            never_truncated("statuschange"),
            pgtrigger.ReadOnly(name="statuschange_read_only", exclude=["actor"]),
            only_cleared("statuschange_actor_only_cleared", "actor"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.created_at:%Y-%m-%d})"

    @property
    def record(self):
        """The input this change is about: a priority or a submission."""
        return self.priority or self.submission


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


class Notification(models.Model):
    """An e-mail sent to an account. The unique key makes a retried job send nothing twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once")]

    def __str__(self) -> str:
        return f"{self.key} to {self.user_id}"


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


# The fields of a submission that the status loop and a withdrawal change (see Submission).
SUBMISSION_CHANGING_FIELDS = [
    "status",
    "status_changed_at",
    "first_answered_at",
    "withdrawn_at",
    "withdrawn_reason",
]


class SubmissionKind(models.TextChoices):
    STATEMENT = "statement", _("statement (uttalelse)")
    INPUT = "input", _("input (innspill)")
    ANNUAL_REPORT = "annual_report", _("annual report (årsmelding)")


@pghistory.track(meta=append_only_history("submissionevent"))
class Submission(InputRecord):
    """A formal submission from a local council: a statement adopted in a meeting, an input,
    or an association's annual report. A public record: never deleted, only withdrawn.

    On the record (database triggers, so ORM, bulk updates and raw SQL alike): what the
    council filed never changes. Only these fields may change:

    - ``status``, ``status_changed_at``, ``first_answered_at``: the status loop
      (``priorities.services.input_set_status``), which also appends a ``StatusChange``;
    - ``withdrawn_at``, ``withdrawn_reason``: set once by ``submission_withdraw``; a
      withdrawal is never undone or reworded;
    - ``author``: only to NULL, when the secretary's account is deleted;
    - ``case``: set once, when a planner links the submission to a case (through the status
      loop); never moved to another case or unlinked.

    The areas (many-to-many) are set when the submission is filed. Every change leaves
    a history row (pghistory) with the actor and the request.
    """

    council = models.ForeignKey(
        "areas.Council", models.PROTECT, related_name="submissions", verbose_name=_("council")
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=SubmissionKind.choices, default=SubmissionKind.STATEMENT
    )
    title = models.CharField(_("title"), max_length=200, validators=[MinLengthValidator(3)])
    text = models.TextField(
        _("text"), max_length=20000, validators=[MinLengthValidator(10), MaxLengthValidator(20000)]
    )
    meeting_date = models.DateField(_("adopted in the meeting of"), null=True, blank=True)
    minutes_reference = models.CharField(_("minutes reference"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(_("year reported on"), null=True, blank=True)
    geom = models.GeometryField(_("place"), srid=STORAGE_SRID, null=True, blank=True)
    areas = models.ManyToManyField(
        "areas.Area", related_name="submissions", blank=True, verbose_name=_("areas")
    )
    case = models.ForeignKey(
        "cases.Case",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
        verbose_name=_("case"),
    )
    consultation = models.ForeignKey(
        "cases.Consultation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name=_("answers the consultation"),
    )
    late = models.BooleanField(_("filed after the deadline"), default=False)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)

    objects = SubmissionQuerySet.as_manager()

    status_field = "submission"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        triggers = [
            pgtrigger.Protect(name="submission_never_deleted", operation=pgtrigger.Delete),
            never_truncated("submission"),
            pgtrigger.ReadOnly(
                name="submission_filed_text_read_only",
                exclude=[*SUBMISSION_CHANGING_FIELDS, "author", "geom", "case"],
            ),
            pgtrigger.Protect(
                name="submission_case_set_once",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__case__isnull=False)
                & pgtrigger.Q(old__case__df=pgtrigger.F("new__case")),
            ),
            # The place, compared as bytes: "geometry IS DISTINCT FROM geometry" needs
            # PostGIS's "=" from the search path, which pg_dump's restore leaves empty.
            pgtrigger.Protect(
                name="submission_place_read_only",
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    'OLD."geom"::bytea IS DISTINCT FROM NEW."geom"::bytea'
                ),
            ),
            only_cleared("submission_author_only_cleared", "author"),
            pgtrigger.Protect(
                name="submission_withdrawal_final",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__withdrawn_at__isnull=False)
                & (
                    pgtrigger.Q(old__withdrawn_at__df=pgtrigger.F("new__withdrawn_at"))
                    | pgtrigger.Q(old__withdrawn_reason__df=pgtrigger.F("new__withdrawn_reason"))
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("councils:submission", args=[self.pk])

    def followers(self):
        """The council's secretaries and members hear about answers to what it filed."""
        return (
            self._meta.get_field("author")
            .related_model.objects.filter(council_memberships__council=self.council_id)
            .distinct()
        )

    @classmethod
    def followers_of(cls, records) -> dict[int, list]:
        """The members of each submission's council (by submission id), in one query."""
        members = defaultdict(dict)
        memberships = CouncilMembership.objects.filter(
            council__in={record.council_id for record in records}
        ).select_related("user")
        for membership in memberships.order_by("pk"):
            members[membership.council_id].setdefault(membership.user_id, membership.user)
        return {record.pk: list(members[record.council_id].values()) for record in records}


@pghistory.track(meta=append_only_history("submissionattachmentevent"))
class SubmissionAttachment(models.Model):
    """A PDF attached to a submission. Part of the record: never deleted, never changed
    (database triggers); its ``sha256`` is the checksum of the file as uploaded."""

    submission = models.ForeignKey(Submission, models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="submissions/%Y/")
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = [
            pgtrigger.Protect(name="attachment_never_deleted", operation=pgtrigger.Delete),
            never_truncated("attachment"),
            pgtrigger.ReadOnly(name="attachment_read_only"),
        ]

    def __str__(self) -> str:
        return self.name


class SubmissionTemplate(NormalisedTextMixin, models.Model):
    """Headings a secretary fills in (Suldal's councils have little administrative help)."""

    municipality = models.ForeignKey(
        "areas.Municipality", models.CASCADE, related_name="submission_templates"
    )
    name = models.CharField(_("name"), max_length=100)
    headings = models.TextField(_("headings"), help_text=_("One heading per line."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("submission template")
        verbose_name_plural = _("submission templates")

    def __str__(self) -> str:
        return self.name

    def as_text(self) -> str:
        """The headings as a text to fill in."""
        return "\n\n".join(
            f"{line.strip()}\n" for line in self.headings.splitlines() if line.strip()
        )
