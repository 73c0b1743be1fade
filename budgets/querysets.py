"""The budget's aggregates, in SQL: totals per sector, per area and per version, each one
query with a sum per plan year (conditional aggregation), never the lines in Python."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Count, Q, Sum

ZERO = Decimal(0)


def _year_sums(years, prefix="amounts__") -> dict:
    return {
        f"y{year}": Sum(f"{prefix}amount", filter=Q(**{f"{prefix}year": year}), default=ZERO)
        for year in years
    }


class BudgetLineQuerySet(models.QuerySet):
    def of_version(self, version) -> BudgetLineQuerySet:
        return self.filter(version=version)

    def sector_totals(self, years) -> models.QuerySet:
        """Per sector: id, name, order, line count and the net sum of each year (``y2027``)."""
        return (
            self.values("sector_id", "sector__name", "sector__position")
            .annotate(lines=Count("amounts", filter=Q(amounts__year=years[0])), **_year_sums(years))
            .order_by("sector__position", "sector__name")
        )

    def area_totals(self, years) -> models.QuerySet:
        """Per area of the lines that have one: id, name, type's name, and each year's sum."""
        return (
            self.filter(area__isnull=False)
            .values("area_id", "area__name", "area__type__slug")
            .annotate(lines=Count("amounts", filter=Q(amounts__year=years[0])), **_year_sums(years))
            .order_by("area__name")
        )

    def with_amounts(self, years) -> BudgetLineQuerySet:
        """Each line with its amount of each year annotated (``y2027``)."""
        return self.annotate(**_year_sums(years)).order_by("position", "pk")


class SectorTotalQuerySet(models.QuerySet):
    def table(self) -> dict[int, dict]:
        """{version id: {sector id: {"name", "position", "lines", year: amount, …}}}."""
        result: dict[int, dict] = {}
        rows = self.values_list(
            "version_id", "sector_id", "sector__name", "sector__position", "year", "amount", "lines"
        ).order_by()
        for version_id, sector_id, name, position, year, amount, lines in rows:
            sector = result.setdefault(version_id, {}).setdefault(
                sector_id, {"name": name, "position": position, "lines": lines}
            )
            sector[year] = amount
        return result


@dataclass
class SectorRow:
    pk: int
    name: str
    lines: int
    amounts: list[Decimal]
    baseline: Decimal | None = None
    share: float = 0.0
    per_resident: Decimal | None = None

    @property
    def first(self) -> Decimal:
        return self.amounts[0]

    @property
    def change(self) -> Decimal | None:
        return None if self.baseline is None else self.first - self.baseline

    @property
    def change_percent(self) -> float | None:
        if self.baseline is None or not self.baseline:
            return None
        return float((self.first - self.baseline) / abs(self.baseline) * 100)


@dataclass
class Overview:
    years: list[int]
    rows: list[SectorRow] = field(default_factory=list)
    totals: list[Decimal] = field(default_factory=list)
    baseline_total: Decimal | None = None
    baseline_label: str = ""
    population: int | None = None

    @property
    def total(self) -> Decimal:
        return self.totals[0] if self.totals else ZERO

    @property
    def total_change(self) -> Decimal | None:
        return None if self.baseline_total is None else self.total - self.baseline_total

    @property
    def total_per_resident(self) -> Decimal | None:
        return per_resident(self.total, self.population)


def per_resident(amount: Decimal, population: int | None) -> Decimal | None:
    if not population:
        return None
    return (amount / population).quantize(Decimal(1))


def overview(version, *, baseline_version=None, population=None) -> Overview:
    """The version's sectors with their net amount per plan year, share of the first year's
    total, amount per resident, and the change from last year: against last year's adopted
    budget (``baseline_version``: its amounts of the year before the first plan year) when
    imported, else the version's own column for the year before when the file had one.
    Read from the sums written at import (``SectorTotal``), in one query."""
    from budgets.models import SectorTotal

    budget = version.budget
    years = budget.years
    before = budget.first_year - 1
    with_baseline = baseline_version is not None and baseline_version.pk != version.pk
    ids = [version.pk, baseline_version.pk] if with_baseline else [version.pk]
    table = SectorTotal.objects.filter(version_id__in=ids).table()
    sectors = table.get(version.pk, {})
    result = Overview(years=years, population=population)
    baseline: dict[int, Decimal] = {}
    if with_baseline:
        baseline = {
            pk: row.get(before, ZERO) for pk, row in table.get(baseline_version.pk, {}).items()
        }
        result.baseline_label = str(baseline_version)
    elif version.has_year_before:
        baseline = {pk: row.get(before, ZERO) for pk, row in sectors.items()}
        result.baseline_label = str(before)
    ordered = sorted(sectors.items(), key=lambda item: (item[1]["position"], item[1]["name"]))
    for pk, row in ordered:
        amounts = [row.get(year, ZERO) for year in years]
        result.rows.append(
            SectorRow(
                pk=pk,
                name=row["name"],
                lines=row["lines"],
                amounts=amounts,
                baseline=baseline.get(pk) if baseline else None,
                per_resident=per_resident(amounts[0], population),
            )
        )
    result.totals = [sum((row.amounts[i] for row in result.rows), ZERO) for i in range(4)]
    if baseline:
        result.baseline_total = sum(baseline.values(), ZERO)
    positive = sum((max(row.first, ZERO) for row in result.rows), ZERO)
    for row in result.rows:
        row.share = float(max(row.first, ZERO) / positive * 100) if positive else 0.0
    return result
