"""The budget and economic plan of a budget case.

- ``Budget``: the budget and four-year economic plan of a municipality for a budget case,
  its plan years ``first_year`` to ``first_year + 3``.
- ``BudgetVersion``: one imported version (the administration's proposal, the executive
  board's recommendation, the adopted budget), kept side by side.
- ``Sector``: a sector or service area (sektor/tjenesteområde) of the budget, the same
  across versions, so input on a sector follows it from version to version.
- ``BudgetLine``: a line of one version, in a sector, with its KOSTRA function where known,
  optionally an area, and an amount for each plan year (``BudgetAmount``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinLengthValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from budgets.querysets import BudgetLineQuerySet, SectorTotalQuerySet
from core.text import NormalisedTextMixin

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
