"""Reading a population register extract (an extract of Folkeregisteret) from a CSV file.

Everything in the file is hostile until checked: its encoding is found from its bytes (a
UTF-8 BOM, else strict UTF-8, else Windows-1252, else Latin-1, and never a NUL byte), its
separator is ``;`` or ``,`` only (``csv.Sniffer`` with that allowlist, then proved by the
header: the separator must split it into the required columns), its size is limited in
bytes and in rows (``NABOLAGET_REGISTER_MAX_BYTES``, ``NABOLAGET_REGISTER_MAX_ROWS``), and
every row is checked. A file that cannot be read at all is a :class:`RegisterFileError`;
the rows are read into a :class:`ParsedRegister` with a report naming each bad row.

Columns (case and accents ignored; Norwegian names accepted):

- ``id`` (``person_id``, ``løpenummer``): an opaque id, unique in the file;
- ``birth_year`` (``fødselsår``): the year of birth;
- ``gender`` (``kjønn``): ``m``/``mann``/``male``/``1`` or ``k``/``kvinne``/``f``/``female``/``2``;
- where they live: ``address`` (``adresse``: an address of the municipality's address list),
  or ``lat`` and ``lon`` (EPSG:4326), or ``east`` and ``north`` (``øst``, ``nord``) in
  EPSG:25833 unless an ``epsg`` column says 25832 or 25835;
- optional: ``household`` (``husholdning``), and the letter's ``postal_address``
  (``postadresse``), ``postcode`` (``postnummer``), ``post_town`` (``poststed``);
- any other column is kept as a candidate stratum (at most ``MAX_EXTRA_COLUMNS``).

Where the people live (the address lookup, inside the municipality or not, the area) is
decided in PostgreSQL when the rows are written (``services.register_upload``).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

DELIMITERS = ";,"
MAX_EXTRA_COLUMNS = 20
MAX_VALUE_LENGTH = 200
MAX_BAD_ROWS_SHOWN = 200
# Oldest plausible age in a register extract.
MAX_AGE = 120
UTM_SRIDS = (25832, 25833, 25835)
DEFAULT_UTM_SRID = 25833

MALE, FEMALE = "m", "f"
GENDER_CODES = {
    "m": MALE,
    "mann": MALE,
    "male": MALE,
    "1": MALE,
    "k": FEMALE,
    "kvinne": FEMALE,
    "f": FEMALE,
    "female": FEMALE,
    "2": FEMALE,
}

# Canonical column name: the names a file may use for it (normalised by ``_column_key``).
ALIASES = {
    "id": ("id", "person_id", "personid", "lopenummer", "lopenr"),
    "birth_year": ("birth_year", "birthyear", "fodselsar", "fodt"),
    "gender": ("gender", "sex", "kjonn"),
    "address": ("address", "adresse", "bostedsadresse"),
    "lat": ("lat", "latitude", "breddegrad"),
    "lon": ("lon", "lng", "longitude", "lengdegrad"),
    "east": ("east", "easting", "ost", "x"),
    "north": ("north", "northing", "nord", "y"),
    "epsg": ("epsg", "srid", "epsg_kode"),
    "household": ("household", "household_id", "husholdning", "husholdningsnummer"),
    "postal_address": ("postal_address", "postadresse"),
    "postcode": ("postcode", "postnummer", "postnr"),
    "post_town": ("post_town", "poststed"),
}
REQUIRED = ("id", "birth_year", "gender")
_BY_ALIAS = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
_EXTRA_NAME = re.compile(r"^[a-z0-9_]{1,40}$")


def max_bytes() -> int:
    return settings.NABOLAGET_REGISTER_MAX_BYTES


def max_rows() -> int:
    return settings.NABOLAGET_REGISTER_MAX_ROWS


class RegisterFileError(Exception):
    """The file cannot be read as a register extract at all (the message is the user's)."""


@dataclass
class BadRow:
    line: int
    problems: list[str]


@dataclass
class RegisterReport:
    """What reading (and writing) an extract found: the rows, the bad ones by line."""

    rows: int = 0
    encoding: str = ""
    delimiter: str = ""
    columns: list[str] = field(default_factory=list)
    bad: dict[int, list[str]] = field(default_factory=dict)
    written: bool = False

    def add(self, line: int, problem: str) -> None:
        self.bad.setdefault(line, []).append(problem)

    @property
    def bad_count(self) -> int:
        return len(self.bad)

    @property
    def bad_rows(self) -> list[BadRow]:
        """The first MAX_BAD_ROWS_SHOWN bad rows, by line."""
        return [BadRow(line, self.bad[line]) for line in sorted(self.bad)[:MAX_BAD_ROWS_SHOWN]]

    @property
    def more_bad(self) -> int:
        return max(0, self.bad_count - MAX_BAD_ROWS_SHOWN)


@dataclass
class ParsedRegister:
    """The checked rows, ready for COPY: one tuple per person in ``COPY_COLUMNS`` order."""

    rows: list[tuple]
    report: RegisterReport
    has_address: bool


COPY_COLUMNS = (
    "line",
    "person_id",
    "birth_year",
    "gender",
    "address",
    "household",
    "postal_address",
    "postcode",
    "post_town",
    "x",
    "y",
    "srid",
    "extra",
)


def _column_key(name: str) -> str:
    """A header cell as a key: lower case, accents and æøå folded, spaces to underscores."""
    name = name.strip().lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", name).strip("_")


def decode(data: bytes) -> tuple[str, str]:
    """The text and the name of its encoding; RegisterFileError if it is not text."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise RegisterFileError(_("The file is in UTF-16. Save it as UTF-8 (CSV) and try again."))
    if b"\x00" in data:
        raise RegisterFileError(_("This is not a text (CSV) file."))
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8"
        except UnicodeDecodeError as exc:
            raise RegisterFileError(
                _("The file says it is UTF-8 but is not (byte %(at)s).") % {"at": exc.start}
            ) from exc
    for encoding, name in (("utf-8", "UTF-8"), ("cp1252", "Windows-1252")):
        try:
            return data.decode(encoding), name
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "ISO-8859-1"


def _header_map(header: list[str]) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """The known columns' positions, and the other columns (name, position)."""
    known: dict[str, int] = {}
    extra: list[tuple[str, int]] = []
    for position, cell in enumerate(header):
        key = _column_key(cell)
        name = _BY_ALIAS.get(key)
        if name is not None and name not in known:
            known[name] = position
        elif key:
            extra.append((key, position))
    return known, extra


def _location_ok(known: dict[str, int]) -> bool:
    return "address" in known or {"lat", "lon"} <= known.keys() or {"east", "north"} <= known.keys()


def _sniff(text: str) -> tuple[str, list[str]]:
    """The separator (``;`` or ``,``) and the header row, proved by the required columns."""
    first_line = text.split("\n", 1)[0]
    candidates = []
    with contextlib.suppress(csv.Error):
        candidates.append(csv.Sniffer().sniff(text[:65536], delimiters=DELIMITERS).delimiter)
    candidates += [d for d in DELIMITERS if d not in candidates]
    best: tuple[int, str, list[str]] | None = None
    for delimiter in candidates:
        header = next(csv.reader([first_line], delimiter=delimiter), [])
        known, _extra = _header_map(header)
        score = sum(1 for name in REQUIRED if name in known) + _location_ok(known)
        if best is None or score > best[0]:
            best = (score, delimiter, header)
    assert best is not None
    return best[1], best[2]


def _number(text: str) -> float:
    """A decimal number written with a point or a decimal comma."""
    value = float(text.strip().replace(",", ".").replace("\u2212", "-"))
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


def read_register(data: bytes) -> ParsedRegister:
    """Read and check an extract's rows; RegisterFileError if the file is unusable as a
    whole (too large, not text, no header with the required columns)."""
    if len(data) > max_bytes():
        raise RegisterFileError(
            _("The file is larger than %(limit)s MB.") % {"limit": max_bytes() // 1_000_000}
        )
    if not data.strip():
        raise RegisterFileError(_("The file is empty."))
    text, encoding = decode(data)
    delimiter, _header = _sniff(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise RegisterFileError(_("The header row cannot be read.")) from exc
    known, extra = _header_map(header)
    missing = [name for name in REQUIRED if name not in known]
    if not _location_ok(known):
        missing.append(_("address, or lat and lon, or east and north"))
    if missing:
        raise RegisterFileError(
            _(
                "The file lacks the columns %(missing)s (separator found: %(sep)s). Its header "
                "is: %(header)s."
            )
            % {
                "missing": ", ".join(missing),
                "sep": delimiter,
                "header": ", ".join(cell.strip()[:40] for cell in header[:30]),
            }
        )
    bad_extra = [name for name, _position in extra if not _EXTRA_NAME.match(name)]
    if bad_extra or len(extra) > MAX_EXTRA_COLUMNS:
        raise RegisterFileError(
            _("At most %(n)s other columns, each named with letters, digits and _.")
            % {"n": MAX_EXTRA_COLUMNS}
        )
    report = RegisterReport(
        encoding=encoding, delimiter=delimiter, columns=[name for name, _p in extra]
    )
    this_year = timezone.localdate().year
    width = len(header)
    seen: dict[str, int] = {}
    rows: list[tuple] = []
    limit = max_rows()
    line = 1
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if report.rows >= limit:
                raise RegisterFileError(
                    _("The file has more than %(limit)s rows.") % {"limit": limit}
                )
            report.rows += 1
            row = _check_row(cells, line, width, known, extra, this_year, seen, report)
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        raise RegisterFileError(
            _("Line %(line)s cannot be read as CSV (%(error)s).") % {"line": line, "error": exc}
        ) from exc
    if report.rows == 0:
        raise RegisterFileError(_("The file has a header but no people."))
    return ParsedRegister(rows=rows, report=report, has_address="address" in known)


def _check_row(cells, line, width, known, extra, this_year, seen, report) -> tuple | None:
    """One row as a COPY tuple, or None with its problems added to the report."""
    if len(cells) != width:
        report.add(
            line,
            _("it has %(found)s fields; the header has %(expected)s")
            % {"found": len(cells), "expected": width},
        )
        return None

    def cell(name: str) -> str:
        position = known.get(name)
        return cells[position].strip() if position is not None else ""

    problems_before = len(report.bad.get(line, []))
    person_id = cell("id")
    if not person_id:
        report.add(line, _("the id is missing"))
    elif len(person_id) > 64 or not person_id.isprintable():
        report.add(line, _("the id is longer than 64 characters or has control characters"))
    elif person_id in seen:
        report.add(line, _("the id is also on line %(other)s") % {"other": seen[person_id]})
    else:
        seen[person_id] = line
    birth_year = None
    try:
        birth_year = int(cell("birth_year"))
    except ValueError:
        report.add(line, _("the year of birth is not a year"))
    else:
        if birth_year > this_year:
            report.add(line, _("the year of birth is in the future"))
        elif birth_year < this_year - MAX_AGE:
            report.add(
                line, _("the year of birth is implausible (over %(age)s)") % {"age": MAX_AGE}
            )
    gender = GENDER_CODES.get(cell("gender").lower())
    if gender is None:
        report.add(
            line,
            _("the gender code %(code)s is unknown (m/k/f, mann/kvinne, 1/2)")
            % {"code": repr(cell("gender")[:20])},
        )
    x = y = srid = None
    address = cell("address")
    coordinates_bad = False
    try:
        if cell("lat") or cell("lon"):
            y, x, srid = _number(cell("lat")), _number(cell("lon")), 4326
            if not (-90 <= y <= 90 and -180 <= x <= 180):
                raise ValueError
        elif cell("east") or cell("north"):
            x, y = _number(cell("east")), _number(cell("north"))
            srid = int(cell("epsg") or DEFAULT_UTM_SRID)
            if srid not in UTM_SRIDS:
                raise ValueError
    except ValueError:
        coordinates_bad = True
        report.add(line, _("the coordinates cannot be read"))
    if srid is None and not address and not coordinates_bad:
        report.add(line, _("it has neither an address nor coordinates"))
    values = {
        name: cell(name)
        for name in ("address", "household", "postal_address", "postcode", "post_town")
    }
    if any(len(value) > MAX_VALUE_LENGTH for value in values.values()):
        report.add(line, _("a value is longer than %(n)s characters") % {"n": MAX_VALUE_LENGTH})
    others = {name: cells[position].strip() for name, position in extra}
    if any(len(value) > 100 for value in others.values()):
        report.add(line, _("a value is longer than %(n)s characters") % {"n": 100})
    if len(report.bad.get(line, [])) > problems_before:
        return None
    return (
        line,
        person_id,
        birth_year,
        gender,
        values["address"],
        values["household"],
        values["postal_address"],
        values["postcode"][:10],
        values["post_town"],
        x,
        y,
        srid,
        others,
    )
