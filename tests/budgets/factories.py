"""Budgets made the way planners make them (through the services), and budget files."""

from __future__ import annotations

import io

from openpyxl import Workbook

from accounts.models import Role
from budgets import services
from budgets.models import Stage
from tests.cases.factories import make_case
from tests.priorities.factories import staff

FIRST_YEAR = 2027
YEARS = [2027, 2028, 2029, 2030]
HEADER = ["Sektor", "KOSTRA", "Linje", "Art", "2027", "2028", "2029", "2030", "Område"]
ROWS = [
    ["Oppvekst", "202", "Grunnskole", "", "1 234 567", "1 250 000", "1 260 000", "1 270 000", ""],
    ["Oppvekst", "201", "Barnehage", "", "800 000,50", "810 000", "820 000", "830 000", ""],
    [
        "Oppvekst",
        "202",
        "Foreldrebetaling SFO",
        "inntekt",
        "-50 000",
        "-50 000",
        "-50 000",
        "-50 000",
        "",
    ],
    [
        "Helse og omsorg",
        "254",
        "Hjemmetjenester",
        "",
        "2.000.000,00",
        "2 100 000",
        "2 200 000",
        "2 300 000",
        "",
    ],
    ["Kultur", "385", "Bibliotek", "", "kr 300 000", "300 000", "300 000", "300 000", ""],
]


def csv_bytes(rows=None, *, header=None, delimiter=";", encoding="utf-8", bom=False) -> bytes:
    lines = [header or HEADER, *(ROWS if rows is None else rows)]
    text = "\r\n".join(delimiter.join(cell for cell in row) for row in lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def xlsx_bytes(rows=None, *, header=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header or HEADER)
    for row in ROWS if rows is None else rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def make_budget(planner=None, *, case=None, first_year=FIRST_YEAR, **fields):
    planner = planner or staff(Role.PLANNER)
    case = case or make_case(planner, number=fields.pop("number", "2026/1700"))
    values = {"title": "Budsjett 2027 og økonomiplan 2027–2030"} | fields
    return services.budget_create(actor=planner, case=case, first_year=first_year, **values)


def import_version(budget, data=None, *, stage=Stage.PROPOSAL, planner=None, name="budsjett.csv"):
    planner = planner or budget.created_by
    return services.version_import(
        actor=planner,
        budget=budget,
        stage=stage,
        data=csv_bytes() if data is None else data,
        source_name=name,
    )
