"""CSV files written through core.csvfiles: formulas as text, numbers as numbers."""

import csv
import io
import re
from pathlib import Path

import pytest

from core import csvfiles

ROOT = Path(__file__).resolve().parents[2]


def _written(rows: list[dict]) -> list[dict]:
    out = io.StringIO(newline="")
    writer = csvfiles.DictWriter(out, fieldnames=["text", "number"], delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return list(csv.DictReader(io.StringIO(out.getvalue(), newline=""), delimiter=";"))


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "+1+1",
        "-1+1",
        "@SUM(1+1)",
        "\t=1+1",
        "\r=1+1",
        "\n=1+1",
        '   =HYPERLINK("http://evil.example/")',
        "\u00a0=1+1",
        "\uff1d1+1",
        "-12.3",
    ],
)
def test_text_a_spreadsheet_would_run_is_prefixed_with_a_quote(text):
    (row,) = _written([{"text": text, "number": 1}])

    assert row["text"] == "'" + text


@pytest.mark.parametrize("text", ["Gangvei ved Bodøsjøen", "1+1=2", "a=b", "", "Kari Nordmann"])
def test_other_text_is_written_as_it_is(text):
    (row,) = _written([{"text": text, "number": 1}])

    assert row["text"] == text


def test_numbers_stay_numbers():
    """A negative coordinate in a numeric column is not text: no quote."""
    (row,) = _written([{"text": "lon", "number": -12.3}])

    assert row["number"] == "-12.3"


def test_every_csv_the_project_writes_goes_through_csvfiles():
    """No module writes CSV with the standard library's writers directly."""
    pattern = re.compile(r"\bcsv\.(writer|DictWriter)\b")
    writers = [
        str(path.relative_to(ROOT))
        for folder in ("core", "areas", "accounts", "priorities", "cases", "councils", "nabolaget")
        for path in (ROOT / folder).rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]

    assert writers == ["core/csvfiles.py"]
