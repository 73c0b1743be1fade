"""Creating a budget and importing a version of it: whole or not at all.

A version is imported in one transaction: its file is read and every row checked first
(``budgets.imports``); a file with any bad row writes nothing. The lines and their amounts
are then written with PostgreSQL's COPY (the lines' ids drawn from their sequence first), the
fastest way to write tens of thousands of rows; any failure rolls back everything.

A stage (proposal, recommendation, adopted, last year's adopted) is imported once and never
replaced: councillors may have read it, and a frozen digest may refer to it. A corrected
file goes into a new budget on the same case; the mistaken one stays on the record.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from areas.models import Area
from budgets.imports import BudgetFileError, ParsedBudget, parse_budget
from budgets.models import (
    Budget,
    BudgetAmount,
    BudgetLine,
    BudgetVersion,
    Sector,
    SectorTotal,
    Stage,
)
from cases.models import Case
from priorities import services as loop

IMPORT_ROLES = loop.ANSWER_ROLES


class ImportRefused(ValidationError):
    """A file with bad rows: ``parsed.problems`` names each row and column."""

    def __init__(self, parsed: ParsedBudget):
        self.parsed = parsed
        super().__init__(
            {
                "file": ValidationError(
                    _(
                        "The file has %(count)s problems (listed below the form); nothing "
                        "was imported."
                    )
                    % {"count": parsed.problem_count},
                    "bad_rows",
                )
            }
        )


def check_planner(user, municipality_id: int) -> None:
    loop.staff_role(user, municipality_id, IMPORT_ROLES)


@transaction.atomic
def budget_create(*, actor, case: Case, title: str, first_year: int, illustrative=False):
    """A new budget on a budget case, by a planner of the case's municipality."""
    check_planner(actor, case.municipality_id)
    budget = Budget(
        case=case,
        title=title,
        first_year=first_year,
        illustrative=illustrative,
        created_by=actor,
    )
    budget.full_clean()
    budget.save()
    return budget


def area_lookup(municipality_code: str) -> dict[str, int]:
    """The municipality's areas in force by code and by lower-case name."""
    lookup: dict[str, int] = {}
    for pk, code, name in Area.objects.choosable(municipality_code).values_list(
        "pk", "code", "name"
    ):
        lookup.setdefault(name.lower(), pk)
        if code:
            lookup.setdefault(code, pk)
    return lookup


def read_file(budget: Budget, stage: str, data: bytes) -> ParsedBudget:
    """The file read and checked for this budget; ``ValidationError`` when it cannot be."""
    try:
        return parse_budget(
            data,
            first_year=budget.first_year,
            previous_stage=stage == Stage.PREVIOUS,
            areas=area_lookup(budget.case.municipality.code),
        )
    except BudgetFileError as exc:
        raise ValidationError({"file": ValidationError(str(exc.message), exc.code)}) from exc


@transaction.atomic
def version_import(
    *, actor, budget: Budget, stage: str, data: bytes, source_name: str = "", label: str = ""
) -> BudgetVersion:
    """Import a version of the budget from a CSV or XLSX file, whole or not at all."""
    check_planner(actor, budget.case.municipality_id)
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Choose a stage.")})
    budget = (
        Budget.objects.select_for_update().select_related("case__municipality").get(pk=budget.pk)
    )
    existing = budget.versions.filter(stage=stage).first()
    if existing:
        raise ValidationError(
            {
                "stage": ValidationError(
                    _(
                        "%(stage)s was imported on %(date)s and is kept as it is: councillors "
                        "may have read it. To correct it, create a new budget on the case and "
                        "import the corrected file there."
                    )
                    % {
                        "stage": Stage(stage).label,
                        "date": date_format(localtime(existing.imported_at), "DATE_FORMAT"),
                    },
                    "exists",
                )
            }
        )
    parsed = read_file(budget, stage, data)
    if not parsed.ok:
        raise ImportRefused(parsed)
    version = BudgetVersion(
        budget=budget,
        stage=stage,
        label=label,
        source_name=source_name[:255],
        source_sha256=hashlib.sha256(data).hexdigest(),
        imported_by=actor,
        has_year_before=budget.first_year - 1 in parsed.years,
    )
    version.full_clean()
    version.save()
    sectors = _sectors(budget, parsed)
    _write_lines(version, sectors, parsed)
    return version


def _sectors(budget: Budget, parsed: ParsedBudget) -> dict[str, int]:
    """The budget's sectors by lower-case name, with the file's new ones added in order."""
    known = {name.lower(): pk for pk, name in budget.sectors.values_list("pk", "name")}
    position = (
        budget.sectors.order_by("-position").values_list("position", flat=True).first()
    ) or 0
    new: dict[str, Sector] = {}
    for row in parsed.rows:
        key = row.sector.lower()
        if key not in known and key not in new:
            position += 1
            new[key] = Sector(budget=budget, name=row.sector, position=position)
    for sector in Sector.objects.bulk_create(new.values()):
        known[sector.name.lower()] = sector.pk
    return known


def _ids(table: str, count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _write_lines(version: BudgetVersion, sectors: dict[str, int], parsed: ParsedBudget) -> None:
    lines_table = BudgetLine._meta.db_table
    amounts_table = BudgetAmount._meta.db_table
    line_ids = _ids(lines_table, len(parsed.rows))
    with connection.cursor() as cursor:
        with cursor.copy(
            f"COPY {lines_table} (id, version_id, sector_id, name, kostra_function, area_id, "
            "position, income) FROM STDIN"
        ) as copy:
            for line_id, row in zip(line_ids, parsed.rows, strict=True):
                copy.write_row(
                    (
                        line_id,
                        version.pk,
                        sectors[row.sector.lower()],
                        row.line,
                        row.kostra,
                        row.area_id,
                        row.number,
                        row.income,
                    )
                )
        # The amounts' ids come from their identity column: nothing refers to them.
        with cursor.copy(f"COPY {amounts_table} (line_id, year, amount) FROM STDIN") as copy:
            for line_id, row in zip(line_ids, parsed.rows, strict=True):
                for year, amount in row.amounts.items():
                    copy.write_row((line_id, year, amount))
        # The version's sums per sector and year, once: a version never changes.
        cursor.execute(
            f"INSERT INTO {SectorTotal._meta.db_table} (version_id, sector_id, year, amount, lines) "
            f"SELECT l.version_id, l.sector_id, a.year, sum(a.amount), count(*) "
            f"FROM {lines_table} l JOIN {amounts_table} a ON a.line_id = l.id "
            "WHERE l.version_id = %s GROUP BY l.version_id, l.sector_id, a.year",
            [version.pk],
        )
