"""Reading a budget file (CSV or XLSX) and checking every row, before anything is written.

The file's format is decided by its content, never its name: an XLSX is a ZIP archive that
holds ``[Content_Types].xml`` and ``xl/workbook.xml``; anything else must be text (UTF-8
with or without a byte order mark, or Windows-1252), separated by ``;`` or ``,``.

An XLSX is opened only after its archive has been checked: at most
``NABOLAGET_BUDGET_MAX_MEMBERS`` members, their declared sizes together at most
``NABOLAGET_BUDGET_MAX_UNZIPPED`` bytes, and no member that inflates more than
``NABOLAGET_ZIP_MAX_RATIO`` times (a zip bomb). Python's ``zipfile`` never inflates a member
beyond its declared size, so a lying header cannot get past the sum. The workbook is read
by openpyxl in read-only mode with the values Excel saved (``data_only``): no formula is
evaluated; a formula cell without a saved value is a bad cell. At most
``NABOLAGET_BUDGET_MAX_ROWS`` rows and ``MAX_COLUMNS`` columns are read.

Columns, by their header (Bokmål, Nynorsk or English, any case):

- sector (``sektor``, ``tjenesteområde``/``tenesteområde``, ``sector``, ``service area``);
- KOSTRA function (``kostra``, ``funksjon``, ``kostra-funksjon``), optional, three digits;
- line (``linje``, ``budsjettlinje``, ``line``);
- kind (``art``, ``kind``), optional: ``utgift``/``expense`` (the default) or
  ``inntekt``/``income``. **Only income lines may have negative amounts** (income is
  written as a negative amount, as in the municipalities' own budget documents); a
  negative amount on an expense line is a bad cell;
- one amount column for each of the budget's four plan years (the header is the year),
  and optionally one for the year before the first (this year's budget, to compare with);
  a version of the stage "last year's adopted budget" has the year before and may have the
  next three;
- area (``område``, ``area``), optional: the code or name of an area of the municipality.

Amounts are read as Norwegians write them: ``1 234,50``, ``1 234 567``, ``-1 234``,
``1.234.567,00``, with ordinary, non-breaking or thin spaces, ``kr`` before or after and
``,-`` at the end; an empty cell or ``-`` is zero. Text in an amount column, more than two
decimals, or an amount of a trillion kroner or more is a bad cell. A line with the same
sector, line and area as an earlier one is a bad row.

The result is a ``ParsedBudget``: its rows, or a list of problems each naming the row (as
the spreadsheet numbers it: the header is row 1) and the column (by its header).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from core.text import normalise_text

MAX_COLUMNS = 20
MAX_PROBLEMS = 200  # the report lists at most this many; the count says how many there are
MAX_AMOUNT = Decimal("1e12")

SECTOR, KOSTRA, LINE, KIND, AREA = "sector", "kostra", "line", "kind", "area"
HEADERS = {
    SECTOR: {"sektor", "tjenesteområde", "tenesteområde", "sector", "service area"},
    KOSTRA: {"kostra", "kostra-funksjon", "kostrafunksjon", "funksjon", "kostra function"},
    LINE: {"linje", "budsjettlinje", "line", "budget line"},
    KIND: {"art", "kind", "type"},
    AREA: {"område", "area"},
}
INCOME_WORDS = {"inntekt", "inntekter", "income"}
EXPENSE_WORDS = {"utgift", "utgifter", "expense", "expenses", ""}
# Minus signs to "-"; spaces (ordinary, non-breaking, figure, thin, narrow) and ' removed.
_CLEAN = str.maketrans(
    {"\u2212": "-", "\u2013": "-"} | dict.fromkeys(" \t\r\n\u00a0\u2007\u2009\u202f'", None)
)
_PLAIN = re.compile(r"^-?\d+(?:\.\d+)?$")
_GROUPED_DOTS = re.compile(r"^-?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")
_YEAR = re.compile(r"^\d{4}$")
_KOSTRA = re.compile(r"^\d{3}$")


class BudgetFileError(Exception):
    """The file as a whole cannot be read (not a budget file, too large, a zip bomb)."""

    def __init__(self, message, *, code: str = "invalid"):
        super().__init__(str(message))
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return str(
                _("Row %(row)s, column “%(column)s”: %(message)s")
                % {"row": self.row, "column": self.column, "message": self.message}
            )
        return str(_("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message})


@dataclass
class Row:
    number: int
    sector: str
    line: str
    kostra: str
    income: bool
    area_id: int | None
    amounts: dict[int, Decimal]


@dataclass
class ParsedBudget:
    format: str
    years: list[int] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0

    def add(self, row: int, column: str, message) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(row, column, str(message)))

    @property
    def ok(self) -> bool:
        return not self.problem_count and bool(self.rows)


def parse_amount(value) -> Decimal:
    """An amount as a spreadsheet gives it (a number) or as Norwegians write it, in kroner
    with at most two decimals. ``ValueError`` with the reason for anything else."""
    if value is None:
        return Decimal(0)
    if isinstance(value, bool):
        raise ValueError(_("is not an amount"))
    if type(value) is int:
        number = Decimal(value)
    elif isinstance(value, int | float | Decimal):
        try:
            number = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValueError(_("is not an amount")) from exc
        if not number.is_finite():
            raise ValueError(_("is not an amount"))
        number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    elif isinstance(value, str) and value.isdigit() and value.isascii():
        number = Decimal(value)
    else:
        text = str(value).translate(_CLEAN).lower()
        if text.endswith(",-"):
            text = text[:-2]
        if not text[-1:].isdigit() or not text[:1].isdigit():
            for unit in ("kr.", "kr", "nok"):
                if text.startswith(unit):
                    text = text[len(unit) :]
                if text.endswith(unit):
                    text = text[: -len(unit)]
        if text in ("", "-"):
            return Decimal(0)
        if _PLAIN.match(text) and not _GROUPED_DOTS.match(text):
            plain = text
        elif _GROUPED_DOTS.match(text):
            plain = text.replace(".", "").replace(",", ".")
        elif _DECIMAL_COMMA.match(text):
            plain = text.replace(",", ".")
        else:
            raise ValueError(_("is not an amount (write e.g. 1 234 567 or -1 234,50)"))
        number = Decimal(plain)
        if number != number.quantize(Decimal("0.01")):
            raise ValueError(_("has more than two decimals"))
        number = number.quantize(Decimal("0.01"))
    if abs(number) >= MAX_AMOUNT:
        raise ValueError(_("is too large (a trillion kroner or more)"))
    return number


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalise_text(str(value)).strip()


def _header_key(value) -> str:
    return " ".join(_cell_text(value).lower().replace("_", " ").split())


# --- reading the file ---------------------------------------------------------------------


def _is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def _check_archive(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise BudgetFileError(_("The file is not a readable XLSX workbook.")) from exc
    if len(members) > settings.NABOLAGET_BUDGET_MAX_MEMBERS:
        raise BudgetFileError(_("The workbook has too many parts."), code="too_large")
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise BudgetFileError(_("The file is a ZIP archive, but not an XLSX workbook."))
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise BudgetFileError(_("The workbook is encrypted: save it without a password."))
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1_000_000 and ratio > settings.NABOLAGET_ZIP_MAX_RATIO:
            raise BudgetFileError(
                _("The workbook unpacks to far more than its size (a zip bomb?)."),
                code="too_large",
            )
    if total > settings.NABOLAGET_BUDGET_MAX_UNZIPPED:
        raise BudgetFileError(
            _("The workbook unpacks to more than %(limit)s MB.")
            % {"limit": settings.NABOLAGET_BUDGET_MAX_UNZIPPED // 1_000_000},
            code="too_large",
        )


def _too_many_rows() -> BudgetFileError:
    return BudgetFileError(
        _("The file has more than %(limit)s rows.") % {"limit": settings.NABOLAGET_BUDGET_MAX_ROWS},
        code="too_large",
    )


def _xlsx_rows(data: bytes, *, data_only: bool):
    try:
        workbook = load_workbook(
            io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False
        )
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook
        raise BudgetFileError(_("The file is not a readable XLSX workbook.")) from exc
    try:
        sheet = workbook.worksheets[0]
        for count, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)):
            if count > settings.NABOLAGET_BUDGET_MAX_ROWS:
                raise _too_many_rows()
            yield list(row)
    except BudgetFileError:
        raise
    except Exception as exc:
        raise BudgetFileError(_("The file is not a readable XLSX workbook.")) from exc
    finally:
        workbook.close()


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise BudgetFileError(_("The file is neither an XLSX workbook nor a CSV text file."))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise BudgetFileError(
            _("The CSV file is neither UTF-8 nor Windows-1252 text: save it as UTF-8 CSV.")
        ) from exc


def _csv_rows(data: bytes):
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for count, row in enumerate(reader):
            if count > settings.NABOLAGET_BUDGET_MAX_ROWS:
                raise _too_many_rows()
            yield row[: MAX_COLUMNS + 1]
    except csv.Error as exc:
        raise BudgetFileError(
            _("The CSV file cannot be read near row %(row)s (a quote not closed?).")
            % {"row": reader.line_num}
        ) from exc


# --- checking it ----------------------------------------------------------------------------


def _columns(header: list, parsed: ParsedBudget, years: set[int], required: set[int]):
    """Which column holds what, from the header row; problems on row 1 otherwise."""
    columns: dict[str, int] = {}
    year_columns: dict[int, int] = {}
    names: dict[int, str] = {}
    for index, value in enumerate(header):
        text = _cell_text(value)
        key = _header_key(value)
        if not key:
            continue
        names[index] = text
        if index >= MAX_COLUMNS:
            parsed.add(
                1, "", _("The file has more than %(limit)s columns.") % {"limit": MAX_COLUMNS}
            )
            break
        if _YEAR.match(key):
            year = int(key)
            if year not in years:
                parsed.add(
                    1,
                    text,
                    _("%(year)s is not a year of this budget (%(first)s–%(last)s).")
                    % {"year": year, "first": min(years), "last": max(years)},
                )
            elif year in year_columns:
                parsed.add(1, text, _("The year comes twice."))
            else:
                year_columns[year] = index
            continue
        for what, words in HEADERS.items():
            if key in words:
                if what in columns:
                    parsed.add(1, text, _("The column comes twice."))
                columns[what] = index
                break
        else:
            parsed.add(
                1,
                text,
                _(
                    "Unknown column. The columns are: sector, KOSTRA function (optional), "
                    "line, kind (optional), one per plan year (the year), area (optional)."
                ),
            )
    for what, label in ((SECTOR, _("sector")), (LINE, _("line"))):
        if what not in columns:
            parsed.add(1, "", _("The column “%(name)s” is missing.") % {"name": label})
    for year in sorted(required - set(year_columns)):
        parsed.add(1, "", _("The column for the year %(year)s is missing.") % {"year": year})
    return columns, dict(sorted(year_columns.items())), names


def parse_budget(
    data: bytes,
    *,
    first_year: int,
    previous_stage: bool = False,
    areas: dict[str, int] | None = None,
) -> ParsedBudget:
    """The file's rows, checked. ``areas`` maps an area's code and lower-case name to its
    id. Raises ``BudgetFileError`` when the file as a whole cannot be read."""
    if len(data) > settings.NABOLAGET_BUDGET_MAX_BYTES:
        raise BudgetFileError(
            _("The file is larger than %(limit)s MB.")
            % {"limit": settings.NABOLAGET_BUDGET_MAX_BYTES // 1_000_000},
            code="too_large",
        )
    if not data.strip():
        raise BudgetFileError(_("The file is empty."))
    if _is_xlsx(data):
        _check_archive(data)
        parsed = ParsedBudget("xlsx")
        rows = _xlsx_rows(data, data_only=True)
    else:
        parsed = ParsedBudget("csv")
        rows = _csv_rows(data)
    plan = [first_year + offset for offset in range(4)]
    years = {first_year - 1, *plan}
    required = {first_year - 1} if previous_stage else set(plan)
    areas = areas or {}
    header = next(rows, None)
    if header is None:
        raise BudgetFileError(_("The file is empty."))
    columns, year_columns, names = _columns(header, parsed, years, required)
    if parsed.problem_count:
        return parsed
    parsed.years = list(year_columns)
    seen: dict[tuple, int] = {}
    blank_formulas: list[tuple[int, int]] = []
    for number, values in enumerate(rows, start=2):
        values = list(values) + [None] * (MAX_COLUMNS + 1 - len(values))
        if not any(_cell_text(value) for value in values):
            continue
        row = _check_row(number, values, columns, year_columns, names, areas, parsed)
        if row is None:
            continue
        if parsed.format == "xlsx":
            blank_formulas.extend(
                (number, index) for year, index in year_columns.items() if values[index] is None
            )
        key = (row.sector.lower(), row.line.lower(), row.area_id)
        if key in seen:
            parsed.add(
                number,
                "",
                _("The same sector, line and area as row %(row)s.") % {"row": seen[key]},
            )
            continue
        seen[key] = number
        parsed.rows.append(row)
    if blank_formulas:
        _formulas_without_values(data, blank_formulas, names, parsed)
    if not parsed.rows and not parsed.problem_count:
        parsed.add(2, "", _("The file has no budget lines."))
    return parsed


def _formulas_without_values(data, cells, names, parsed: ParsedBudget) -> None:
    """Empty amount cells of a workbook that hold a formula Excel saved no value for: the
    second pass reads the formulas (data_only=False), only when there are empty cells."""
    wanted: dict[int, list[int]] = {}
    for number, index in cells:
        wanted.setdefault(number, []).append(index)
    for number, values in enumerate(_xlsx_rows(data, data_only=False), start=1):
        for index in wanted.get(number, ()):
            value = values[index] if index < len(values) else None
            if isinstance(value, str) and value.startswith("="):
                parsed.add(
                    number,
                    names[index],
                    _(
                        "The cell has a formula without a saved value: open the file in a "
                        "spreadsheet, save it, and upload it again."
                    ),
                )


def _check_row(number, values, columns, year_columns, names, areas, parsed) -> Row | None:
    before = parsed.problem_count
    texts = {what: _cell_text(values[index]) for what, index in columns.items()}
    sector, line = texts.get(SECTOR, ""), texts.get(LINE, "")
    for what, value, limit in ((SECTOR, sector, 200), (LINE, line, 300)):
        if not value:
            parsed.add(number, names[columns[what]], _("The cell is empty."))
        elif len(value) > limit:
            parsed.add(
                number,
                names[columns[what]],
                _("The text is longer than %(limit)s characters.") % {"limit": limit},
            )
    kostra = texts.get(KOSTRA, "")
    if kostra and not _KOSTRA.match(kostra):
        parsed.add(
            number, names[columns[KOSTRA]], _("A KOSTRA function has three digits, e.g. 202.")
        )
    kind = texts.get(KIND, "").lower()
    income = kind in INCOME_WORDS
    if not income and kind not in EXPENSE_WORDS:
        parsed.add(
            number,
            names[columns[KIND]],
            _("The kind is “utgift” (expense) or “inntekt” (income)."),
        )
    area_id = None
    area = texts.get(AREA, "")
    if area:
        area_id = areas.get(area) or areas.get(area.lower())
        if area_id is None:
            parsed.add(
                number,
                names[columns[AREA]],
                _("No area of the municipality has the code or name “%(area)s”.")
                % {"area": area[:100]},
            )
    amounts = {}
    for year, index in year_columns.items():
        try:
            amount = parse_amount(values[index])
        except ValueError as exc:
            parsed.add(
                number,
                names[index],
                _("“%(value)s” %(reason)s.")
                % {"value": _cell_text(values[index])[:50], "reason": exc.args[0]},
            )
            continue
        if amount < 0 and not income:
            parsed.add(
                number,
                names[index],
                _("A negative amount is allowed only on an income line (kind “inntekt”)."),
            )
        amounts[year] = amount
    if parsed.problem_count != before:
        return None
    return Row(number, sector, line, kostra, income, area_id, amounts)
