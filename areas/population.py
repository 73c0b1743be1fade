"""Population counts per area and age group, read from a CSV file (e.g. SSB's statistics
bank) and stored for one year in one transaction.

What is accepted (``read_counts``):

- **Encoding**: UTF-8 with or without a byte-order mark, or Windows-1252 (what a
  spreadsheet on Windows saves); **separator**: ``;``, ``,`` or a tab, found from the header.
- **Columns** (names in any case, Norwegian or English; quoted or not): the area
  (``område``, ``region``, ``grunnkrets``, ``krets``, ``area``), the age (``alder``,
  ``aldersgruppe``, ``age``, ``age group``), the count (``antall``, ``personer``,
  ``count``, ``value``) and the year (``år``, ``year``, ``tid``). A file in SSB's "wide"
  export has a count column per year instead (``Personer 2026``, ``2026``). Other columns
  (``kjønn``/sex, ``statistikkvariabel``) are allowed; rows that differ only by them are
  added up. Lines before the header (SSB's title line) are skipped.
- **Area**: the area's code or its name, for the chosen area type; SSB's ``code name``
  (``03010101 Sentrum``) is matched by its code.
- **Age**: one of the groups (``0-12``, ``13-19``, ``20-39``, ``40-66``, ``67+``), a single
  year of age (``37``, SSB's ``037 37 år``, ``105 år eller eldre``) or an age band
  (``20-24 år``, ``90 år eller eldre``) that lies whole inside one group.
- **Count**: a whole number, 0 or more (spaces as thousands separators are allowed).

A file with any bad row writes nothing: the report names every bad row (unknown area,
count that is negative or not a whole number, unknown age or a band across two groups,
duplicate rows, a year out of range), up to ``MAX_REPORTED`` of them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.models import (
    POPULATION_AGE_GROUPS,
    Area,
    PopulationCount,
    PopulationUpload,
)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 200_000
MAX_REPORTED = 50
MAX_COUNT = 2_000_000

AREA_NAMES = {
    "område",
    "omrade",
    "området",
    "region",
    "grunnkrets",
    "krets",
    "area",
    "område/krets",
}
AGE_NAMES = {"alder", "aldersgruppe", "age", "age group", "age_group", "agegroup"}
COUNT_NAMES = {"antall", "personer", "count", "value", "innbyggere", "folkemengde", "residents"}
YEAR_NAMES = {"år", "ar", "year", "tid", "aar"}
YEAR_IN_NAME = re.compile(r"(?:^|\D)((?:19|20)\d\d)$")

SINGLE_AGE = re.compile(r"^(?:\d{3}\s+)?(\d{1,3})(?:\s*år)?$")
AGE_BAND = re.compile(r"^(\d{1,3})\s*[-–]\s*(\d{1,3})(?:\s*år)?$")
AGE_AND_OVER = re.compile(
    r"^(?:\d{3}\s+)?(\d{1,3})\s*(?:\+|år\s+eller\s+eldre|år\s+og\s+eldre|and\s+over|years\s+and\s+over)$"
)


class PopulationFileError(Exception):
    """The file cannot be read at all (size, encoding, no header): one message."""


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class ParsedCounts:
    """What a valid file says: counts per (area id, age group) for each year."""

    counts: dict[int, dict[tuple[int, str], int]] = field(default_factory=dict)
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_total: int = 0

    def add_error(self, line: int, message: str) -> None:
        self.error_total += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(RowError(line, message))


def age_group_of(text: str) -> str | None:
    """The age group a value of the age column stands for, or None."""
    value = " ".join(text.strip().lower().split())
    for group, _low, _high in POPULATION_AGE_GROUPS:
        if value == group.value or value.replace("–", "-") == group.value:
            return group.value
    match = AGE_AND_OVER.match(value)
    if match:
        low, high = int(match.group(1)), None
    elif (match := AGE_BAND.match(value)) is not None:
        low, high = int(match.group(1)), int(match.group(2))
        if high < low:
            return None
    elif (match := SINGLE_AGE.match(value)) is not None:
        low = high = int(match.group(1))
    else:
        return None
    for group, group_low, group_high in POPULATION_AGE_GROUPS:
        if low < group_low or (group_high is not None and low > group_high):
            continue
        if group_high is None or (high is not None and high <= group_high):
            return group.value
        return None  # the band runs past the group's end: it spans two groups
    return None


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without a BOM), else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise PopulationFileError(
                _("The file is neither UTF-8 nor Windows-1252 text.")
            ) from exc
    if "\x00" in text:
        raise PopulationFileError(_("The file is not a CSV text file."))
    return text


def _norm(name: str) -> str:
    return " ".join(name.strip().strip('"').lower().replace("_", " ").split())


def _header(lines: list[list[str]]) -> tuple[int, dict]:
    """The header's line index and its columns (area, age, year, count, year columns)."""
    for index, row in enumerate(lines[:5]):
        names = [_norm(cell) for cell in row]
        columns: dict = {"years": {}}
        for position, name in enumerate(names):
            base = name.split(":")[-1].strip()  # SSB: "07459: Personer 2026"
            if base in AREA_NAMES:
                columns["area"] = position
            elif base in AGE_NAMES:
                columns["age"] = position
            elif base in YEAR_NAMES:
                columns["year"] = position
            elif base in COUNT_NAMES:
                columns["count"] = position
            elif (match := YEAR_IN_NAME.search(base)) is not None:
                columns["years"][position] = int(match.group(1))
        if "area" in columns and "age" in columns:
            return index, columns
    raise PopulationFileError(
        _(
            "No header with an area column and an age column was found in the first five "
            "lines (e.g. “område;alder;år;antall”)."
        )
    )


def _delimiter(text: str) -> str:
    head = text[:4096].splitlines()[:5]
    return max((";", ",", "\t"), key=lambda sep: sum(line.count(sep) for line in head))


class AreaMatcher:
    """Finds an area of the type in force by its code, its name, or SSB's "code name"."""

    def __init__(self, municipality, area_type, year: int):
        # The areas in force now: counts for an earlier year are compared with today's
        # areas (upload them again after areas are re-imported).
        areas = Area.objects.current().filter(municipality=municipality, type=area_type)
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, int | None] = {}
        for pk, code, name in areas.values_list("pk", "code", "name"):
            if code:
                self.by_code[code.strip().lower()] = pk
            key = _norm(name)
            # A name two areas share cannot name one of them.
            self.by_name[key] = None if key in self.by_name else pk

    def find(self, text: str) -> int | None:
        value = _norm(text)
        if value in self.by_code:
            return self.by_code[value]
        if self.by_name.get(value):
            return self.by_name[value]
        first, _sep, rest = value.partition(" ")
        if rest and first in self.by_code:
            return self.by_code[first]
        return None


def _count(text: str) -> int | None:
    value = text.strip().replace("\u00a0", "").replace(" ", "")
    if not re.fullmatch(r"\d+", value):
        return None
    number = int(value)
    return number if number <= MAX_COUNT else None


def read_counts(data: bytes, municipality, area_type, *, year: int | None = None) -> ParsedCounts:
    """Read a population CSV for the municipality's areas of the type. ``year`` is the year
    of files without a year column. Raises ``PopulationFileError`` when the file cannot be
    read at all; bad rows are in the result's ``errors``."""
    if len(data) > MAX_BYTES:
        raise PopulationFileError(
            _("The file is larger than %(n)s MB.") % {"n": MAX_BYTES // (1024 * 1024)}
        )
    text = decode(data)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        lines = []
        for row in reader:
            lines.append(row)
            if len(lines) > MAX_ROWS + 5:
                raise PopulationFileError(
                    _("The file has more than %(n)s rows.")
                    % {"n": f"{MAX_ROWS:,}".replace(",", " ")}
                )
    except csv.Error as exc:
        raise PopulationFileError(
            _("The file is not valid CSV: %(error)s") % {"error": exc}
        ) from exc
    start, columns = _header(lines)
    if "count" not in columns and not columns["years"]:
        raise PopulationFileError(
            _("The file has no count column (“antall”, “personer”, “count”, or one per year).")
        )
    if "count" in columns and "year" not in columns and year is None:
        raise PopulationFileError(_("The file has no year column: give the year in the form."))
    header = lines[start]
    extra = [
        position
        for position in range(len(header))
        if position
        not in {columns.get("area"), columns.get("age"), columns.get("year"), columns.get("count")}
        and position not in columns["years"]
    ]
    this_year = timezone.localdate().year
    matchers: dict[int, AreaMatcher] = {}
    parsed = ParsedCounts()
    seen: dict[tuple, int] = {}
    for offset, row in enumerate(lines[start + 1 :], start=start + 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            parsed.add_error(offset, _("Line %(line)s has too few columns.") % {"line": offset})
            continue
        parsed.rows += 1
        if parsed.rows > MAX_ROWS:
            raise PopulationFileError(
                _("The file has more than %(n)s rows.") % {"n": f"{MAX_ROWS:,}".replace(",", " ")}
            )
        if "count" in columns:
            if "year" in columns:
                raw_year = row[columns["year"]].strip()
                row_year = int(raw_year) if re.fullmatch(r"\d{4}", raw_year) else None
            else:
                row_year = year
            pairs = [
                (row_year, row[columns["count"]], row[columns["year"]] if "year" in columns else "")
            ]
        else:
            pairs = [
                (column_year, row[position], str(column_year))
                for position, column_year in columns["years"].items()
            ]
        age_text = row[columns["age"]]
        group = age_group_of(age_text)
        area_text = row[columns["area"]]
        for row_year, count_text, year_text in pairs:
            problems = []
            if row_year is None or not (1900 <= row_year <= this_year + 1):
                problems.append(
                    _("the year “%(value)s” is not a year from 1900 to %(last)s")
                    % {"value": year_text.strip(), "last": this_year + 1}
                )
                area = None
            else:
                matcher = matchers.get(row_year) or matchers.setdefault(
                    row_year, AreaMatcher(municipality, area_type, row_year)
                )
                area = matcher.find(area_text)
                if area is None:
                    problems.append(
                        _("no %(type)s called “%(value)s”")
                        % {"type": area_type.name, "value": area_text.strip()[:80]}
                    )
            if group is None:
                problems.append(
                    _("unknown age or an age band across two groups: “%(value)s”")
                    % {"value": age_text.strip()[:40]}
                )
            count = _count(count_text)
            if count is None:
                problems.append(
                    _("the count “%(value)s” is not a whole number from 0 to %(max)s")
                    % {"value": count_text.strip()[:20], "max": MAX_COUNT}
                )
            key = (
                area_text.strip().lower(),
                age_text.strip().lower(),
                row_year,
                tuple(row[position].strip().lower() for position in extra),
            )
            if key in seen:
                problems.append(_("the same as line %(line)s") % {"line": seen[key]})
            else:
                seen[key] = offset
            if problems:
                parsed.add_error(
                    offset,
                    _("Line %(line)s: %(problems)s.")
                    % {"line": offset, "problems": "; ".join(str(p) for p in problems)},
                )
                continue
            per_year = parsed.counts.setdefault(row_year, defaultdict(int))
            per_year[(area, group)] += count
    if not parsed.rows and not parsed.errors:
        raise PopulationFileError(_("The file has a header but no rows."))
    return parsed


@transaction.atomic
def population_replace(
    *, municipality, area_type, parsed: ParsedCounts, source: str, file_name: str, data: bytes
) -> list[PopulationUpload]:
    """Store a valid file's counts: per year, a new upload that replaces the one in force
    for the same area type and year (kept, marked replaced), all in one transaction.
    Areas without a row get no count (the comparison shows them without a population)."""
    if parsed.errors:
        raise ValueError("A file with bad rows is never stored")
    now = timezone.now()
    digest = hashlib.sha256(data).hexdigest()
    uploads = []
    for year, counts in sorted(parsed.counts.items()):
        PopulationUpload.objects.select_for_update().filter(
            municipality=municipality, area_type=area_type, year=year, replaced_at__isnull=True
        ).update(replaced_at=now)
        upload = PopulationUpload.objects.create(
            municipality=municipality,
            area_type=area_type,
            year=year,
            source=source,
            file_name=file_name[:200],
            sha256=digest,
            rows=parsed.rows,
        )
        PopulationCount.objects.bulk_create(
            [
                PopulationCount(upload=upload, area_id=area, age_group=group, count=count)
                for (area, group), count in sorted(counts.items())
            ],
            batch_size=2000,
        )
        uploads.append(upload)
    return uploads
