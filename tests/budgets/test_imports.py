"""Reading budget files: amounts as Norwegians write them, the encodings and separators of
CSV, what an XLSX may be (by content, bounded, formulas not evaluated), and a report that
names each bad row and column in the reader's language."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import Workbook

from budgets.imports import BudgetFileError, parse_amount, parse_budget
from tests.budgets.factories import FIRST_YEAR, HEADER, ROWS, csv_bytes, xlsx_bytes


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def parse(data, **kwargs):
    return parse_budget(data, first_year=FIRST_YEAR, **kwargs)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,50", "1234.50"),
        ("1 234 567", "1234567"),
        ("-1 234", "-1234"),
        ("1.234.567,00", "1234567"),
        ("1\u00a0234\u00a0567", "1234567"),
        ("1\u2009234", "1234"),
        ("1\u202f234", "1234"),
        ("kr 1 234", "1234"),
        ("1 234 kr", "1234"),
        ("1 234,-", "1234"),
        ("\u2212500", "-500"),
        ("1234.5", "1234.5"),
        ("12,5", "12.5"),
        ("", "0"),
        ("-", "0"),
        (None, "0"),
        (1234567, "1234567"),
        (1234.5, "1234.5"),
    ],
)
def test_amounts_are_read_as_norwegians_write_them(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text", ["abc", "12 kroner", "1,234", "1.2.3", "1,2,3", "1e5", "NaN", "--5"]
)
def test_text_and_more_than_two_decimals_are_not_amounts(text):
    with pytest.raises(ValueError):
        parse_amount(text)


def test_a_csv_in_utf8_with_a_bom_and_semicolons_is_read():
    parsed = parse(csv_bytes(bom=True))
    assert parsed.ok and parsed.format == "csv" and len(parsed.rows) == 5
    school, kindergarten, fees = parsed.rows[:3]
    assert school.kostra == "202" and school.amounts[2027] == Decimal("1234567")
    assert kindergarten.amounts[2027] == Decimal("800000.50")
    assert fees.income and fees.amounts[2030] == Decimal("-50000")


def test_a_csv_in_windows_1252_with_commas_is_read():
    rows = [
        ["Helse og omsorg", "254", "Sykehjem på Løding", "", "1000", "1000", "1000", "1000", ""]
    ]
    data = csv_bytes(rows, delimiter=",", encoding="cp1252")
    parsed = parse(data)
    assert parsed.ok and parsed.rows[0].line == "Sykehjem på Løding"


def test_an_xlsx_is_read_from_its_cached_values():
    rows = [
        ["Oppvekst", 202, "Grunnskole", None, 1234567, 1250000.5, 1260000, 1270000, None],
        ["Kultur", None, "Bibliotek", "Inntekt", -1000, 0, None, "1 000", None],
    ]
    parsed = parse(xlsx_bytes(rows))
    assert parsed.ok and parsed.format == "xlsx"
    assert parsed.rows[0].kostra == "202" and parsed.rows[0].amounts[2028] == Decimal("1250000.50")
    assert parsed.rows[1].amounts == {
        2027: Decimal(-1000),
        2028: Decimal(0),
        2029: Decimal(0),
        2030: Decimal(1000),
    }


def _problems(parsed):
    return [(problem.row, problem.column, problem.message) for problem in parsed.problems]


def test_each_bad_row_is_named_with_its_column_in_the_readers_language():
    rows = [
        *ROWS,
        ["Oppvekst", "20", "Skyss", "", "tusen", "1 000", "1 000", "1 000", ""],
        ["Kultur", "", "Kulturhus", "", "-1 000", "1 000", "1 000", "1 000", ""],
        ["Oppvekst", "202", "Grunnskole", "", "1", "1", "1", "1", ""],
        ["Kultur", "", "Scene", "gave", "1", "1", "1", "1", "Atlantis"],
        ["Kultur", "", "Museum", "", "1,234", "1", "1", "1", ""],
    ]
    parsed = parse(csv_bytes(rows))
    assert not parsed.ok and parsed.rows[:5] and parsed.problem_count == 7
    problems = _problems(parsed)
    assert [(row, column) for row, column, _message in problems] == [
        (7, "KOSTRA"),
        (7, "2027"),
        (8, "2027"),
        (9, ""),
        (10, "Art"),
        (10, "Område"),
        (11, "2027"),
    ]
    # nb is the autouse language: the messages are in Bokmål.
    assert "«tusen» er ikke et beløp" in problems[1][2]
    assert "inntekt" in problems[2][2] and "negativt" in problems[2][2]
    assert "rad 2" in problems[3][2]
    with translation.override("en"):
        english = _problems(parse(csv_bytes(rows)))
    assert english[2][2] == "A negative amount is allowed only on an income line (kind “inntekt”)."
    assert english[3][2] == "The same sector, line and area as row 2."
    with translation.override("nn"):
        nynorsk = _problems(parse(csv_bytes(rows)))
    assert "ikkje" in nynorsk[1][2]


def test_wrong_columns_are_named_on_the_header_row():
    header = ["Sektor", "Linje", "Beløp", "2027", "2028", "2029", "2031"]
    parsed = parse(csv_bytes([["Oppvekst", "Skole", "1", "1", "1", "1", "1"]], header=header))
    assert not parsed.rows
    columns = [(row, column) for row, column, _message in _problems(parsed)]
    assert columns == [(1, "Beløp"), (1, "2031"), (1, "")]
    with translation.override("en"):
        assert _problems(parse(csv_bytes([], header=["Linje", "2027"])))[0][2] == (
            "The column “sector” is missing."
        )


def test_areas_are_found_by_code_or_name():
    rows = [
        ["Oppvekst", "", "Skole A", "", "1", "1", "1", "1", "K-01"],
        ["Oppvekst", "", "Skole B", "", "1", "1", "1", "1", "Mørkved"],
        ["Oppvekst", "", "Skole C", "", "1", "1", "1", "1", "mørkved"],
    ]
    parsed = parse(csv_bytes(rows), areas={"K-01": 1, "mørkved": 2})
    assert parsed.ok and [row.area_id for row in parsed.rows] == [1, 2, 2]
    # Skole B and Skole C differ in their line: no duplicate.


def test_a_file_named_xlsx_that_is_not_one_is_refused_by_its_content(english):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    with pytest.raises(BudgetFileError, match="neither an XLSX workbook nor a CSV"):
        parse(png)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("word/document.xml", "<w/>")
        zipped.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(BudgetFileError, match="not an XLSX workbook"):
        parse(archive.getvalue())
    with pytest.raises(BudgetFileError, match="not a readable XLSX"):
        parse(b"PK\x03\x04 truncated")


def _bomb(size: int) -> bytes:
    data = io.BytesIO(xlsx_bytes())
    with zipfile.ZipFile(data, "a", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("xl/media/padding.bin", b"\x00" * size)
    return data.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(settings, english):
    with pytest.raises(BudgetFileError, match="zip bomb") as refused:
        parse(_bomb(20_000_000))
    assert refused.value.code == "too_large"
    settings.NABOLAGET_ZIP_MAX_RATIO = 10_000
    settings.NABOLAGET_BUDGET_MAX_UNZIPPED = 10_000_000
    with pytest.raises(BudgetFileError, match="more than 10 MB"):
        parse(_bomb(20_000_000))


def test_too_many_rows_or_bytes_are_refused(settings, english):
    settings.NABOLAGET_BUDGET_MAX_ROWS = 3
    with pytest.raises(BudgetFileError, match="more than 3 rows"):
        parse(csv_bytes())
    with pytest.raises(BudgetFileError, match="more than 3 rows"):
        parse(xlsx_bytes())
    settings.NABOLAGET_BUDGET_MAX_BYTES = 100
    with pytest.raises(BudgetFileError, match="larger than 0 MB"):
        parse(csv_bytes())


def test_more_columns_than_allowed_are_refused():
    header = [*HEADER, *(f"x{i}" for i in range(30))]
    parsed = parse(csv_bytes([], header=header))
    assert (1, "", "Filen har mer enn 20 kolonner.") in _problems(parsed)


def test_a_formula_without_a_saved_value_is_a_bad_cell_and_never_evaluated():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["Oppvekst", "202", "Grunnskole", "", 1000, 1000, 1000, 1000, ""])
    sheet.append(["Kultur", "385", "Bibliotek", "", "=E2*2", 1000, 1000, 1000, ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = parse(buffer.getvalue())
    assert not parsed.ok
    with translation.override("en"):
        parsed = parse(buffer.getvalue())
    assert _problems(parsed) == [
        (
            3,
            "2027",
            "The cell has a formula without a saved value: open the file in a spreadsheet, "
            "save it, and upload it again.",
        )
    ]


def test_an_empty_file_or_one_without_lines_is_refused():
    with pytest.raises(BudgetFileError):
        parse(b"   ")
    parsed = parse(csv_bytes([]))
    assert not parsed.ok and parsed.problem_count == 1


def test_an_xml_entity_bomb_inside_a_workbook_is_refused(english):
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
    bomb = io.BytesIO()
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                body = data.split(b"?>", 1)[-1]
                data = laughs + body.replace(b"<v>", b"<v>&lol2;", 1)
            target.writestr(member.filename, data)
    with pytest.raises(BudgetFileError, match="not a readable XLSX"):
        parse(bomb.getvalue())
