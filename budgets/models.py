"""The budget and economic plan of a budget case.

- ``Budget``: the budget and four-year economic plan of a municipality for a budget case,
  its plan years ``first_year`` to ``first_year + 3``.
- ``BudgetVersion``: one imported version (the administration's proposal, the executive
  board's recommendation, the adopted budget), kept side by side.
- ``Sector``: a sector or service area (sektor/tjenesteområde) of the budget, the same
  across versions, so input on a sector follows it from version to version.
- ``BudgetLine``: a line of one version, in a sector, with its KOSTRA function where known,
  optionally an area, and an amount for each plan year (``BudgetAmount``).
- ``BudgetRound``: a round of early input on a budget, with its phases; ``BudgetInput``
  (budsjettinnspill): a kind of input in the one feedback loop, from a resident or an
  association, with its supports (``BudgetInputSupport``), status changes, case links and
  elected members' replies.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pghistory
import pgtrigger
from django.conf import settings
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinLengthValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budgets.querysets import BudgetLineQuerySet, SectorTotalQuerySet
from core.history import append_only_history, never_truncated, only_cleared
from core.text import NormalisedTextMixin
from councils.models import validate_organisation_number
from priorities.models import (
    CaseLink,
    InputRecord,
    Reply,
    StatusChange,
    case_link_meta,
    reply_meta,
    status_change_triggers,
)

PLAN_YEARS = 4


class Budget(NormalisedTextMixin, models.Model):
    """The budget and economic plan for a budget case."""

    case = models.ForeignKey(
        "cases.Case", models.PROTECT, related_name="budgets", verbose_name=_("case")
    )
    title = models.CharField(_("title"), max_length=200, validators=[MinLengthValidator(3)])
    first_year = models.PositiveSmallIntegerField(_("first plan year"))
    illustrative = models.BooleanField(
        _("illustrative"),
        default=False,
        help_text=_("Made-up figures (e.g. the demo's): every page says so."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-first_year", "pk"]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")

    def __str__(self) -> str:
        return self.title

    @property
    def years(self) -> list[int]:
        return [self.first_year + offset for offset in range(PLAN_YEARS)]


class Stage(models.TextChoices):
    PROPOSAL = "proposal", _("the administration's proposal")
    RECOMMENDATION = "recommendation", _("the executive board's recommendation")
    ADOPTED = "adopted", _("adopted budget")
    PREVIOUS = "previous", _("last year's adopted budget")


class BudgetVersion(models.Model):
    """One imported version of the budget."""

    budget = models.ForeignKey(Budget, models.PROTECT, related_name="versions")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    label = models.CharField(_("label"), max_length=200, blank=True)
    source_name = models.CharField(_("file"), max_length=255, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("imported by")
    )
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    # Import (part A): the file had a column for the year before the first plan year.
    has_year_before = models.BooleanField(default=False)

    class Meta:
        ordering = ["budget", "imported_at", "pk"]
        verbose_name = _("budget version")
        verbose_name_plural = _("budget versions")
        constraints = [
            models.UniqueConstraint(fields=["budget", "stage"], name="budgetversion_one_per_stage")
        ]

    def __str__(self) -> str:
        return self.label or self.get_stage_display()


class Sector(NormalisedTextMixin, models.Model):
    """A sector or service area of the budget, shared by its versions."""

    budget = models.ForeignKey(Budget, models.PROTECT, related_name="sectors")
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["budget", "position", "name"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        constraints = [models.UniqueConstraint(fields=["budget", "name"], name="sector_unique")]

    def __str__(self) -> str:
        return self.name


kostra_function_validator = RegexValidator(
    r"^\d{3}$", _("A KOSTRA function has three digits, e.g. 202.")
)


class BudgetLine(NormalisedTextMixin, models.Model):
    """A line of one version of the budget."""

    version = models.ForeignKey(BudgetVersion, models.PROTECT, related_name="lines")
    sector = models.ForeignKey(Sector, models.PROTECT, related_name="lines")
    name = models.CharField(_("line"), max_length=300)
    kostra_function = models.CharField(
        _("KOSTRA function"), max_length=3, blank=True, validators=[kostra_function_validator]
    )
    area = models.ForeignKey("areas.Area", models.PROTECT, null=True, blank=True, related_name="+")
    position = models.PositiveIntegerField(_("row"), default=0)
    # Import (part A): income lines may be negative, expense lines may not (budgets/imports.py).
    income = models.BooleanField(_("income"), default=False)

    objects = BudgetLineQuerySet.as_manager()

    class Meta:
        ordering = ["version", "sector", "position"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "sector", "name", "area"],
                name="budgetline_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return self.name


class BudgetAmount(models.Model):
    """A line's amount for one plan year, in kroner (negative for income)."""

    line = models.ForeignKey(BudgetLine, models.PROTECT, related_name="amounts")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount (NOK)"), max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["line", "year"]
        constraints = [models.UniqueConstraint(fields=["line", "year"], name="budgetamount_unique")]

    def __str__(self) -> str:
        return f"{self.line_id} {self.year}: {self.amount}"


class SectorTotal(models.Model):
    """Import (part A): a version's net sum of one sector and year and its number of lines,
    written once when the version is imported (a version never changes), so that the
    overview, the comparison and the API read a few dozen rows, not every amount."""

    version = models.ForeignKey(BudgetVersion, models.PROTECT, related_name="sector_totals")
    sector = models.ForeignKey(Sector, models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount (NOK)"), max_digits=18, decimal_places=2)
    lines = models.PositiveIntegerField(default=0)

    objects = SectorTotalQuerySet.as_manager()

    class Meta:
        ordering = ["version", "sector", "year"]
        constraints = [
            models.UniqueConstraint(fields=["version", "sector", "year"], name="sectortotal_unique")
        ]

    def __str__(self) -> str:
        return f"{self.version_id} {self.sector_id} {self.year}: {self.amount}"


# --- Budget rounds and input (part B: budgets/rounds.py, round_views.py, registration.py) ---
#
# A budget round (budsjettinnspillsrunde) gathers input early, before the administration's
# proposal. Its input is a kind of input of its own in the one feedback loop
# (``BudgetInputStatusChange``, ``BudgetInputCaseLink``, ``BudgetInputReply``), linked to the
# budget's case; a hearing on the proposal, later, is a hearing on the same case.


@pghistory.track(meta=append_only_history("budgetroundevent"))
class BudgetRound(NormalisedTextMixin, models.Model):
    """A round of early input on a budget: open for input from ``opens_on`` to
    ``closes_on``, then being considered, then answered (``answered_at``, when the
    administration says it has answered the round's input).

    On the record (database triggers): never deleted; the one change allowed is marking
    it answered, once.
    """

    budget = models.ForeignKey(
        Budget, models.PROTECT, related_name="rounds", verbose_name=_("budget")
    )
    title = models.CharField(_("title"), max_length=200, validators=[MinLengthValidator(3)])
    description = models.TextField(
        _("what the input is for"),
        max_length=5000,
        validators=[MinLengthValidator(10), MaxLengthValidator(5000)],
    )
    opens_on = models.DateField(_("input opens"))
    closes_on = models.DateField(_("input closes"))
    proposal_on = models.DateField(
        _("the administration's proposal is presented"), null=True, blank=True
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("budget round")
        verbose_name_plural = _("budget rounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="budgetround_closes_after_opening"
            )
        ]
        triggers = [
            pgtrigger.Protect(name="budgetround_never_deleted", operation=pgtrigger.Delete),
            never_truncated("budgetround"),
            pgtrigger.ReadOnly(name="budgetround_read_only", exclude=["answered_at"]),
            # Marked answered once; never taken back or moved.
            pgtrigger.Protect(
                name="budgetround_answered_once",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__answered_at__isnull=False)
                & pgtrigger.Q(old__answered_at__df=pgtrigger.F("new__answered_at")),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("budgets:round", args=[self.pk])

    @property
    def phase(self) -> str:
        """Where the round stands today: upcoming, open, considering, answered."""
        if self.answered_at is not None:
            return RoundPhase.ANSWERED
        today = timezone.localdate()
        if today < self.opens_on:
            return RoundPhase.UPCOMING
        if today <= self.closes_on:
            return RoundPhase.OPEN
        return RoundPhase.CONSIDERING

    @property
    def phase_label(self) -> str:
        return RoundPhase(self.phase).label

    @property
    def is_open(self) -> bool:
        return self.phase == RoundPhase.OPEN


class RoundPhase(models.TextChoices):
    UPCOMING = "upcoming", _("input opens soon")
    OPEN = "open", _("open for input")
    CONSIDERING = "considering", _("being considered")
    ANSWERED = "answered", _("answered")


class Proposal(models.TextChoices):
    """What a piece of budget input proposes."""

    COMMENT = "comment", _("a comment")
    MORE = "more", _("more money")
    LESS = "less", _("less money")
    SAME = "same", _("the same as now")
    NEW_MEASURE = "new_measure", _("a new measure")


class Filer(models.TextChoices):
    RESIDENT = "resident", _("a resident")
    ASSOCIATION = "association", _("an association")


class Outcome(models.TextChoices):
    """What happened to a piece of input in the proposal: the administration's answer."""

    INCLUDED = "included", _("included in the proposal")
    PARTLY = "partly", _("partly included in the proposal")
    NOT_INCLUDED = "not_included", _("not included in the proposal")


class InputVisibility(models.TextChoices):
    PUBLIC = "public", _("public")
    HIDDEN = "hidden", _("hidden by a moderator")


MAX_MEMBERS = 5_000_000  # more than Norway's population would be absurd
MAX_INPUT_AMOUNT = Decimal("999999999999.99")  # under a trillion kroner


class BudgetInputQuerySet(models.QuerySet):
    def public(self) -> models.QuerySet:
        """Input anyone may see: not hidden by a moderator."""
        return self.filter(visibility=InputVisibility.PUBLIC)

    def in_round(self, budget_round) -> models.QuerySet:
        """The input given in this round."""
        return self.filter(round=budget_round)

    def with_support(self) -> models.QuerySet:
        """Newest first within the same support, most supported first."""
        return self.order_by("-support_count", "-created_at", "-id")


class PublicBudgetInputManager(models.Manager.from_queryset(BudgetInputQuerySet)):
    def get_queryset(self):
        return super().get_queryset().public()


@pghistory.track(meta=append_only_history("budgetinputevent"))
class BudgetInput(InputRecord):
    """Input on the budget (budsjettinnspill) in a round, from a resident or an association:
    a comment on a sector or a line, more / less / the same with a reason, or a new
    measure. A kind of input in the one feedback loop, linked to the budget's case.

    On the record (database triggers): what was said never changes; only the loop's
    fields, the outcome, the support count, the moderation and ``author`` (to NULL, when
    the account is closed) may.
    """

    round = models.ForeignKey(
        BudgetRound, models.PROTECT, related_name="inputs", verbose_name=_("budget round")
    )
    sector = models.ForeignKey(
        Sector, models.PROTECT, related_name="inputs", verbose_name=_("sector")
    )
    line = models.ForeignKey(
        BudgetLine,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="inputs",
        verbose_name=_("budget line"),
    )
    proposal = models.CharField(_("you propose"), max_length=20, choices=Proposal.choices)
    reason = models.TextField(
        _("reason"),
        max_length=4000,
        validators=[MinLengthValidator(10), MaxLengthValidator(4000)],
    )
    amount = models.DecimalField(
        _("amount (NOK)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_INPUT_AMOUNT)],
    )
    measure_title = models.CharField(_("the measure"), max_length=200, blank=True)
    area = models.ForeignKey(
        "areas.Area",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("area"),
    )
    areas = models.ManyToManyField(
        "areas.Area", related_name="budget_inputs", blank=True, verbose_name=_("areas")
    )
    filed_as = models.CharField(
        _("given by"), max_length=20, choices=Filer.choices, default=Filer.RESIDENT
    )
    organisation_name = models.CharField(_("association"), max_length=200, blank=True)
    organisation_number = models.CharField(
        _("organisation number"),
        max_length=11,
        blank=True,
        validators=[validate_organisation_number],
    )
    members = models.PositiveIntegerField(
        _("number of members"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MEMBERS)],
    )
    support_count = models.PositiveIntegerField(_("supports"), default=0)
    outcome = models.CharField(
        _("in the proposal"), max_length=20, choices=Outcome.choices, blank=True
    )
    visibility = models.CharField(
        _("visibility"),
        max_length=20,
        choices=InputVisibility.choices,
        default=InputVisibility.PUBLIC,
    )
    hidden_reason = models.TextField(_("reason for hiding"), blank=True, max_length=1000)

    # No plain ``objects``: a view must say whether it may see hidden input.
    public_objects = PublicBudgetInputManager()
    all_objects = BudgetInputQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("budget input")
        verbose_name_plural = _("budget input")
        base_manager_name = "all_objects"
        default_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["round", "visibility", "sector"], name="budgetinput_round"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(filed_as="association")
                | (~Q(organisation_number="") & ~Q(organisation_name="") & Q(members__gte=1)),
                name="budgetinput_association_named",
            ),
            models.CheckConstraint(
                condition=~Q(proposal="new_measure") | ~Q(measure_title=""),
                name="budgetinput_measure_titled",
            ),
            models.CheckConstraint(
                condition=Q(visibility="public") | ~Q(hidden_reason=""),
                name="budgetinput_hidden_with_reason",
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="budgetinput_never_deleted", operation=pgtrigger.Delete),
            never_truncated("budgetinput"),
            pgtrigger.ReadOnly(
                name="budgetinput_read_only",
                exclude=[
                    "status",
                    "status_changed_at",
                    "first_answered_at",
                    "outcome",
                    "support_count",
                    "visibility",
                    "hidden_reason",
                    "author",
                ],
            ),
            only_cleared("budgetinput_author_only_cleared", "author"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("budgets:input", args=[self.pk])

    @property
    def title(self) -> str:
        """How the input is named in lists, receipts and e-mails (in the reader's language):
        the measure's title, or what it proposes for which sector or line."""
        if self.proposal == Proposal.NEW_MEASURE:
            return self.measure_title
        target = self.line.name if self.line_id else self.sector.name
        return f"{Proposal(self.proposal).label}: {target}"

    @property
    def is_public(self) -> bool:
        return self.visibility == InputVisibility.PUBLIC

    @property
    def public_name(self) -> str:
        """Who gave it, as the public record shows it: an association by its name; a
        resident's name is not shown."""
        return self.organisation_name if self.filed_as == Filer.ASSOCIATION else ""

    def followers(self):
        """Those who support the input hear about its answers too."""
        return self._meta.get_field("author").related_model.objects.filter(
            budget_input_supports__input=self
        )

    @classmethod
    def followers_of(cls, records) -> dict[int, list]:
        """The supporters of each of these records (by id), in one query."""
        followers: dict[int, list] = defaultdict(list)
        for support in BudgetInputSupport.objects.filter(
            input__in=[record.pk for record in records]
        ).select_related("user"):
            followers[support.input_id].append(support.user)
        return followers


class BudgetInputSupport(models.Model):
    """One account's support for a piece of budget input (one per account)."""

    input = models.ForeignKey(BudgetInput, models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="budget_input_supports"
    )
    created_at = models.DateTimeField(_("supported"), auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["input", "user"], name="budgetinputsupport_once")
        ]

    def __str__(self) -> str:
        return f"support {self.pk} for {self.input_id}"


@pghistory.track(meta=append_only_history("budgetinputstatuschangeevent"))
class BudgetInputStatusChange(StatusChange):
    """A step of a budget input's feedback loop (see ``priorities.models.StatusChange``)."""

    record = models.ForeignKey(BudgetInput, models.PROTECT, related_name="status_changes")

    class Meta(StatusChange.Meta):
        triggers = status_change_triggers("budgetinputstatuschange")


@pghistory.track(meta=append_only_history("budgetinputcaselinkevent"))
class BudgetInputCaseLink(CaseLink):
    """Budget input linked to a case (see ``priorities.models.CaseLink``)."""

    record = models.ForeignKey(BudgetInput, models.PROTECT, related_name="case_links")

    class Meta(CaseLink.Meta):
        constraints, indexes, triggers = case_link_meta("budgetinputcaselink")


@pghistory.track(meta=append_only_history("budgetinputreplyevent"))
class BudgetInputReply(Reply):
    """An elected member's reply to budget input, or its author's answer back (see
    ``priorities.models.Reply``)."""

    record = models.ForeignKey(BudgetInput, models.PROTECT, related_name="replies")

    class Meta(Reply.Meta):
        constraints, indexes, triggers = reply_meta("budgetinputreply")
