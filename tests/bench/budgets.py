"""Benchmark a budget of 2,000 lines (its overview page and API) and an import of 20,000.

Run with ``.venv/bin/python -m tests.bench.budgets [--reuse] [--runs 50] [--import-runs 3]``
(``make bench`` runs it after the hearings). It works in a database of its own,
``nabolaget_bench_budgets`` (the demo municipality, without its activity), made afresh unless
``--reuse`` finds the budget there. The budget is imported through the service like any
file: last year's adopted budget and the proposal, 2,000 lines each in 12 sectors, a fifth
of them with an area.

Each run, in one process and alternating:
  overview: GET /budgets/{id}/versions/proposal/ (the treemap, the bar chart and the
            sectors' table, the change from last year) through Django's test Client
            (in-process, as served: DEBUG off);
  api:      GET /api/v1/budgets/{id}/ (both versions, their sectors and totals);
  raw:      one SQL statement: the proposal's sums per sector and plan year.
Then the import of a file of 20,000 lines, as CSV and as XLSX (read, every row checked,
written), each into a new budget, committed, against a raw COPY of the same CSV into a
table of text columns (nothing checked). The page's and the API's totals are checked
against the raw SQL's. Goals: overview and API p95 under 100 ms; an import of 20,000 lines
under 10 s. Results go to ``bench-results/budgets.json``; the exit status is 1 when a check
fails, not when a goal is missed.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import time
import zipfile
from collections.abc import Sequence
from decimal import Decimal

from tests.bench.run import (
    BASE_DIR,
    as_owner,
    as_served,
    create_database,
    libpq_params,
    progress,
    summary,
    verdict,
)

BUDGETS_DB = "nabolaget_bench_budgets"
OUTPUT = BASE_DIR / "bench-results" / "budgets.json"
LINES = 2_000
IMPORT_LINES = 20_000
SECTORS = 12
GOAL_P95_MS = 100.0
GOAL_IMPORT_S = 10.0
RUNS = 50
IMPORT_RUNS = 3
CASE_NUMBER = "2026/77777"
FIRST_YEAR = 2027
YEARS = [FIRST_YEAR + offset for offset in range(4)]
HEADER = ["Sektor", "KOSTRA", "Linje", "Art", *map(str, YEARS), "Område"]

RAW_SQL = """
SELECT l.sector_id,
       sum(a.amount) FILTER (WHERE a.year = %(y0)s), sum(a.amount) FILTER (WHERE a.year = %(y1)s),
       sum(a.amount) FILTER (WHERE a.year = %(y2)s), sum(a.amount) FILTER (WHERE a.year = %(y3)s)
  FROM budgets_budgetline l JOIN budgets_budgetamount a ON a.line_id = l.id
 WHERE l.version_id = %(version)s
 GROUP BY l.sector_id
"""
RAW_TABLE_SQL = """
CREATE TEMP TABLE IF NOT EXISTS raw_budget (
    sector text, kostra text, line text, kind text,
    y0 text, y1 text, y2 text, y3 text, area text
)
"""


def rows(count: int, areas: list[str]) -> list[list]:
    """Deterministic budget lines: sectors in turn, an income line in ten, an area in five."""
    result = []
    for i in range(count):
        income = i % 10 == 9
        base = 50_000 + (i * 7919) % 4_950_000
        amounts = [(-1 if income else 1) * (base + year_index * 1_250) for year_index in range(4)]
        result.append(
            [
                f"Sektor {i % SECTORS + 1:02d}",
                f"{200 + i % 90:03d}",
                f"Linje {i + 1:05d}",
                "inntekt" if income else "utgift",
                *amounts,
                areas[i % len(areas)] if areas and i % 5 == 0 else "",
            ]
        )
    return result


def norwegian(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0") + ",00"


def csv_bytes(lines: list[list]) -> bytes:
    text = [";".join(HEADER)]
    for *start, a0, a1, a2, a3, area in lines:
        text.append(";".join([*start, *(norwegian(v) for v in (a0, a1, a2, a3)), area]))
    return ("\r\n".join(text) + "\r\n").encode("utf-8")


def xlsx_bytes(lines: list[list]) -> bytes:
    """The lines as a workbook whose text is in a shared-strings part, as Excel and
    LibreOffice write it (openpyxl writes each text inline, which is slower to read)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for line in lines:
        sheet.append([value if value != "" else None for value in line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return shared_strings(buffer.getvalue())


_INLINE = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*) t="inlineStr"><is><t>([^<]*)</t></is></c>')


def shared_strings(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    strings: dict[bytes, int] = {}

    def shared(match) -> bytes:
        index = strings.setdefault(match.group(3), len(strings))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match.group(1), match.group(2), index)

    sheet = _INLINE.sub(shared, source.read("xl/worksheets/sheet1.xml"))
    table = b"".join(b"<si><t>%s</t></si>" % text for text in strings)
    part = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main" count="%d" uniqueCount="%d">%s</sst>'
        % (len(strings), len(strings), table)
    )
    types = source.read("[Content_Types].xml").replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    relations = source.read("xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            replaced = {
                "xl/worksheets/sheet1.xml": sheet,
                "[Content_Types].xml": types,
                "xl/_rels/workbook.xml.rels": relations,
            }
            target.writestr(member.filename, replaced.get(member.filename) or source.read(member))
        target.writestr("xl/sharedStrings.xml", part)
    return output.getvalue()


def database_exists(database: dict, name: str) -> bool:
    import psycopg

    with psycopg.connect(**libpq_params(database, "postgres"), autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def setup(reuse: bool) -> dict:
    """The bench database (made afresh unless reused), with the 2,000-line budget."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nabolaget.settings")
    import django
    from django.conf import settings

    if settings.DATABASES["default"].get("NAME") == BUDGETS_DB:
        raise SystemExit(f"The settings' own database is {BUDGETS_DB}; the bench would drop it.")
    if not (reuse and database_exists(settings.DATABASES["owner"], BUDGETS_DB)):
        create_database(settings.DATABASES["owner"], BUDGETS_DB)
    database = as_owner(settings, BUDGETS_DB)
    django.setup()
    as_served(settings)
    from django.core.management import call_command

    progress(f"Migrating {BUDGETS_DB}")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    from cases.models import Case

    if not Case.objects.filter(number=CASE_NUMBER).exists():
        from areas.models import Municipality

        if not Municipality.objects.filter(code="1804").exists():
            progress("Loading the demo municipality")
            call_command("load_demo", "--without-activity", stdout=io.StringIO())
        fill()
    return {"database": database["NAME"]}


def planner():
    from accounts.models import Role, RoleGrant, User
    from areas.models import Municipality

    municipality = Municipality.objects.get(code="1804")
    user, _ = User.objects.get_or_create(username="bench-planner", email="bench@example.no")
    RoleGrant.objects.get_or_create(user=user, role=Role.PLANNER, municipality=municipality)
    return user


def area_codes() -> list[str]:
    from areas.models import Area

    return list(Area.objects.choosable("1804").exclude(code="").values_list("code", flat=True)[:20])


def new_budget(user, number: str):
    from areas.models import Municipality
    from budgets.services import budget_create
    from cases.models import Case

    case = Case.objects.create(
        municipality=Municipality.objects.get(code="1804"),
        number=number,
        title="Benchmark: budsjett",
        body="kommunestyre",
    )
    return budget_create(actor=user, case=case, title="Budsjett (benchmark)", first_year=FIRST_YEAR)


def fill() -> None:
    from django.db import connection

    from budgets.services import version_import

    progress(f"Importing a budget of {LINES:,} lines, last year's and the proposal")
    user = planner()
    budget = new_budget(user, CASE_NUMBER)
    lines = rows(LINES, area_codes())
    previous = [[*line[:4], *(value - 10_000 for value in line[4:8]), line[8]] for line in lines]
    header_previous = [*HEADER[:4], *map(str, [FIRST_YEAR - 1, *YEARS[:3]]), "Område"]
    data = csv_bytes(previous).replace(
        ";".join(HEADER).encode(), ";".join(header_previous).encode(), 1
    )
    version_import(actor=user, budget=budget, stage="previous", data=data, source_name="b.csv")
    version_import(
        actor=user, budget=budget, stage="proposal", data=csv_bytes(lines), source_name="b.csv"
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE budgets_budgetline, budgets_budgetamount")


def measure_overview(runs: int, problems: list[str]) -> dict:
    from django.db import connection
    from django.test import Client

    from budgets.models import Budget

    budget = Budget.objects.get(case__number=CASE_NUMBER)
    version = budget.versions.get(stage="proposal")
    params = {f"y{i}": year for i, year in enumerate(YEARS)} | {"version": version.pk}
    client = Client()
    urls = {
        "overview": f"/budgets/{budget.pk}/versions/proposal/",
        "api": f"/api/v1/budgets/{budget.pk}/",
    }
    for url in urls.values():  # warm-up
        client.get(url)
    timings: dict[str, list[float]] = {key: [] for key in [*urls, "raw"]}
    clock = time.perf_counter
    bodies = {}
    for _ in range(runs):
        for key, url in urls.items():
            start = clock()
            bodies[key] = client.get(url)
            timings[key].append(clock() - start)
        with connection.cursor() as cursor:
            start = clock()
            cursor.execute(RAW_SQL, params)
            raw = cursor.fetchall()
            timings["raw"].append(clock() - start)
    for key, response in bodies.items():
        if response.status_code != 200:
            problems.append(f"{urls[key]}: {response.status_code}")
    totals = [sum(row[1 + i] for row in raw) for i in range(4)]
    data = bodies["api"].json()
    proposal = next(v for v in data["versions"] if v["stage"] == "proposal")
    if [Decimal(proposal["totals"][str(year)]) for year in YEARS] != totals:
        problems.append("the API's totals differ from the raw SQL's")
    if len(proposal["sectors"]) != len(raw):
        problems.append("the API's sectors differ from the raw SQL's")
    from budgets.numbers import kroner

    if kroner(totals[0]) not in bodies["overview"].content.decode():
        problems.append("the overview's total differs from the raw SQL's")
    return {
        "lines": version.lines.count(),
        "sectors": len(raw),
        **{f"{key}_ms": summary(values, 1000) for key, values in timings.items()},
    }


def measure_import(runs: int, problems: list[str]) -> dict:
    from django.db import connection, transaction

    from budgets.models import BudgetAmount, BudgetLine
    from budgets.services import version_import

    user = planner()
    progress(f"Writing files of {IMPORT_LINES:,} lines (CSV and XLSX)")
    lines = rows(IMPORT_LINES, area_codes())
    files = {"csv": csv_bytes(lines), "xlsx": xlsx_bytes(lines)}
    timings: dict[str, list[float]] = {"csv": [], "xlsx": [], "raw_copy": []}
    stamp = int(time.time()) % 100_000  # new case numbers when the database is reused
    clock = time.perf_counter
    for run in range(runs):
        for key, data in files.items():
            progress(f"Importing {IMPORT_LINES:,} lines from {key.upper()}, run {run + 1}")
            budget = new_budget(user, f"2026/{stamp}{run:02d}{key == 'xlsx':d}")
            start = clock()
            version = version_import(
                actor=user, budget=budget, stage="proposal", data=data, source_name=f"b.{key}"
            )
            timings[key].append(clock() - start)
            written = BudgetLine.objects.filter(version=version).count()
            amounts = BudgetAmount.objects.filter(line__version=version).count()
            if (written, amounts) != (IMPORT_LINES, IMPORT_LINES * 4):
                problems.append(f"{key}: {written} lines, {amounts} amounts written")
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM budgets_budgetamount WHERE line_id IN "
                    "(SELECT id FROM budgets_budgetline WHERE version_id = %s)",
                    [version.pk],
                )
                cursor.execute("DELETE FROM budgets_budgetline WHERE version_id = %s", [version.pk])
        with connection.cursor() as cursor:
            cursor.execute(RAW_TABLE_SQL)
            cursor.execute("TRUNCATE raw_budget")
            start = clock()
            with (
                transaction.atomic(),
                cursor.copy(
                    "COPY raw_budget FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true)"
                ) as copy,
            ):
                copy.write(files["csv"])
            timings["raw_copy"].append(clock() - start)
    return {
        "lines": IMPORT_LINES,
        "csv_bytes": len(files["csv"]),
        "xlsx_bytes": len(files["xlsx"]),
        **{f"{key}_s": summary(values) for key, values in timings.items()},
    }


def format_report(results: dict) -> str:
    o, i = results["overview"], results["import"]
    lines = [
        f"A budget of {o['lines']:,} lines in {o['sectors']} sectors (database "
        f"{results['facts']['database']}; load average {results['load_average'][0]:.1f} before)"
        "; ms",
        f"  {'':<40} {'p50':>7} {'p95':>7}",
    ]
    for key, label in [
        ("overview", "overview page (proposal), GET"),
        ("api", "API: versions, sectors, totals, GET"),
        ("raw", "  raw SQL: sums per sector and year"),
    ]:
        t = o[f"{key}_ms"]
        lines.append(f"  {label:<40} {t['p50']:>7.1f} {t['p95']:>7.1f}")
    raw = o["raw_ms"]["p50"] or 1e-9
    lines.append(
        f"  ratio to raw SQL (p50): overview {o['overview_ms']['p50'] / raw:.0f}×, "
        f"API {o['api_ms']['p50'] / raw:.0f}×"
    )
    met = o["overview_ms"]["p95"] < GOAL_P95_MS and o["api_ms"]["p95"] < GOAL_P95_MS
    lines.append(f"goal: overview and API p95 < {GOAL_P95_MS:.0f} ms: {verdict(met)}")
    lines += [
        "",
        f"Import of {i['lines']:,} lines (CSV {i['csv_bytes'] / 1e6:.1f} MB, XLSX "
        f"{i['xlsx_bytes'] / 1e6:.1f} MB); s",
        f"  {'':<40} {'p50':>7} {'max':>7}",
    ]
    for key, label in [
        ("csv", "CSV: read, checked, written"),
        ("xlsx", "XLSX: read, checked, written"),
        ("raw_copy", "  raw COPY of the CSV (text, unchecked)"),
    ]:
        t = i[f"{key}_s"]
        lines.append(f"  {label:<40} {t['p50']:>7.2f} {t['max']:>7.2f}")
    copy = i["raw_copy_s"]["p50"] or 1e-9
    lines.append(
        f"  ratio to raw COPY (p50): CSV {i['csv_s']['p50'] / copy:.0f}×, "
        f"XLSX {i['xlsx_s']['p50'] / copy:.0f}×"
    )
    met = i["csv_s"]["max"] < GOAL_IMPORT_S and i["xlsx_s"]["max"] < GOAL_IMPORT_S
    lines.append(f"goal: an import of {i['lines']:,} lines < {GOAL_IMPORT_S:.0f} s: {verdict(met)}")
    lines += ["", "problems:" if results["problems"] else "problems: none"]
    lines += [f"  - {p}" for p in results["problems"]]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reuse", action="store_true", help=f"reuse {BUDGETS_DB}")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed runs ({RUNS})")
    parser.add_argument(
        "--import-runs", type=int, default=IMPORT_RUNS, help=f"timed imports ({IMPORT_RUNS})"
    )
    parser.add_argument("--output", default=str(OUTPUT), help=f"JSON file ({OUTPUT})")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    from pathlib import Path

    args = parse_args(argv)
    started = time.perf_counter()
    facts = setup(args.reuse)
    problems: list[str] = []
    load = os.getloadavg()
    results = {
        "facts": facts,
        "load_average": load,
        "overview": measure_overview(args.runs, problems),
        "import": measure_import(args.import_runs, problems),
        "problems": problems,
    }
    results["seconds"] = time.perf_counter() - started
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(format_report(results))
    print(f"\n{results['seconds']:.0f} s; results written to {output}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
