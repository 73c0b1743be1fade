"""Benchmark the case digest: cases affecting 1, 10, 100 and all areas over 1.3M priorities.

Run with ``.venv/bin/python -m tests.bench.digests [--reuse] [--runs 30]`` (``make bench``
runs it after the planner benchmark). It works in the planner benchmark's database,
``nabolaget_bench_planner`` (1,300,000 priorities in Bodø: "over 1,000,000"), made by
``tests.bench.planner`` when missing or too small. Bodø's demo has 21 areas, so the
benchmark adds a grid of 2 km squares clipped to the kommune (area type ``bench-rute``,
about 400 areas, kept between runs) and links every priority to its square in one
set-based INSERT (the rollup follows through its statement trigger).

Four cases, affecting 1 (a square of typical size), 10, 100 and all squares, are read
``--runs`` times each, alternating:
  API:  GET /api/v1/cases/{id}/digest/ through Django's test Client (in-process), and
        the number of SQL queries it sends (which must not grow with the areas);
  page: GET /cases/{id}/digest/ (HTML with the SVG map and chart);
  raw rollup: one hand-written SQL statement giving the digest's aggregates (per category,
        status, month and area, and the totals) from the rollup tables;
  raw rows: the same aggregates as one SQL statement over the priorities and their area
        links (no rollup; run ``--row-runs`` times, it is slow for many areas).
The API's total is checked against the raw rows' count. Goal: API p95 under 150 ms for 100
areas. Results go to ``bench-results/digests.json``; the exit status is 1 when a check
fails, not when the goal is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence

from tests.bench.run import BASE_DIR, progress, summary, verdict

OUTPUT = BASE_DIR / "bench-results" / "digests.json"
GRID_TYPE = "bench-rute"
GRID_METRES = 2000
SIZES = (1, 10, 100, None)  # None: every square
GOAL_P95_MS = 150.0
GOAL_AREAS = 100
RUNS = 30
ROW_RUNS = 3

GRID_SQL = """
WITH kommune AS (
    SELECT a.geom, a.municipality_id FROM areas_area a JOIN areas_areatype t ON t.id = a.type_id
     WHERE t.slug = 'kommune' AND a.code = %(code)s AND a.valid_to IS NULL
), cells AS (
    SELECT i, j, ST_MakeEnvelope(i * %(size)s, j * %(size)s, (i + 1) * %(size)s,
                                 (j + 1) * %(size)s, ST_SRID(k.geom)) AS square
      FROM kommune k,
           generate_series(floor(ST_XMin(k.geom) / %(size)s)::int,
                           floor(ST_XMax(k.geom) / %(size)s)::int) AS i,
           generate_series(floor(ST_YMin(k.geom) / %(size)s)::int,
                           floor(ST_YMax(k.geom) / %(size)s)::int) AS j
)
INSERT INTO areas_area (name, code, type_id, municipality_id, source, updated_at, geom)
SELECT 'Rute ' || c.i || ',' || c.j, 'R' || c.i || '_' || c.j, %(type)s, k.municipality_id,
       'tests.bench.digests', now(), ST_Multi(ST_CollectionExtract(ST_Intersection(c.square, k.geom), 3))
  FROM cells c, kommune k
 WHERE ST_Intersects(c.square, k.geom)
   AND ST_Area(ST_Intersection(c.square, k.geom)) > 0
"""
SUBDIVIDE_SQL = """
INSERT INTO areas_areasubdivision (area_id, geom)
SELECT a.id, ST_Subdivide(a.geom, 255) FROM areas_area a WHERE a.type_id = %(type)s
"""
# Each priority to its square, by the square's code (the points lie inside the kommune).
LINK_SQL = """
INSERT INTO priorities_priority_areas (priority_id, area_id)
SELECT p.id, a.id
  FROM priorities_priority p
  JOIN areas_area a
    ON a.type_id = %(type)s AND a.valid_to IS NULL
   AND a.code = 'R' || floor(ST_X(p.point) / %(size)s)::int || '_'
                    || floor(ST_Y(p.point) / %(size)s)::int
 WHERE p.municipality_id = %(municipality)s
"""

RAW_ROLLUP_SQL = """
SELECT r.category_id, r.status, NULL::date, r.area_id, sum(r.count), sum(r.supports),
       sum(r.count) FILTER (WHERE r.answered)
  FROM priorities_priorityareastat r
 WHERE r.municipality_id = %(municipality)s AND r.area_id = ANY(%(areas)s)
 GROUP BY GROUPING SETS ((r.category_id), (r.status), (r.area_id), ())
UNION ALL
SELECT NULL, NULL, m.month, NULL, sum(m.count), NULL, NULL
  FROM priorities_priorityareamonth m
 WHERE m.municipality_id = %(municipality)s AND m.area_id = ANY(%(areas)s)
 GROUP BY m.month
"""
RAW_ROWS_SQL = """
WITH linked AS (
    SELECT l.area_id, p.id, p.category_id, p.status, p.support_count, p.first_answered_at,
           date_trunc('month', p.created_at AT TIME ZONE 'Europe/Oslo') AS month
      FROM priorities_priority_areas l JOIN priorities_priority p ON p.id = l.priority_id
     WHERE l.area_id = ANY(%(areas)s) AND p.visibility = 'public'
), once AS (
    SELECT DISTINCT ON (id) * FROM linked ORDER BY id
)
SELECT category_id, status, month, NULL::bigint, count(*), sum(support_count),
       count(*) FILTER (WHERE first_answered_at IS NOT NULL)
  FROM once GROUP BY GROUPING SETS ((category_id), (status), (month), ())
UNION ALL
SELECT NULL, NULL, NULL, area_id, count(*), sum(support_count),
       count(*) FILTER (WHERE first_answered_at IS NOT NULL)
  FROM linked GROUP BY area_id
"""


def setup(reuse: bool) -> dict:
    """The planner benchmark's database (made or reused), with the grid of squares."""
    from tests.bench.planner import DEFAULT_ROWS, prepare_database, setup_django

    database, reused = setup_django(DEFAULT_ROWS, reuse)
    problems: list[str] = []
    prepare_database(DEFAULT_ROWS, reused, problems)
    if problems:
        raise SystemExit("; ".join(problems))
    from django.db import connection, transaction

    from areas.models import Area, AreaType, Municipality
    from tests.bench.priorities import MUNICIPALITY

    municipality = Municipality.objects.get(code=MUNICIPALITY)
    grid, created = AreaType.objects.get_or_create(
        slug=GRID_TYPE, defaults={"name_nb": "Rute (benchmark)", "name_en": "Square (benchmark)"}
    )
    facts = {"database": database["NAME"], "grid_metres": GRID_METRES}
    if created or not Area.objects.filter(type=grid).exists():
        progress(f"Adding {GRID_METRES} m squares over {municipality} and linking priorities")
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            params = {"code": MUNICIPALITY, "size": GRID_METRES, "type": grid.pk}
            cursor.execute(GRID_SQL, params)
            cursor.execute(SUBDIVIDE_SQL, params)
            cursor.execute(LINK_SQL, {**params, "municipality": municipality.pk})
            facts["links_added"] = cursor.rowcount
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE priorities_priority_areas")
            cursor.execute("VACUUM ANALYZE priorities_priorityareastat")
        facts["grid_seconds"] = time.perf_counter() - start
    facts["squares"] = Area.objects.filter(type=grid).count()
    facts["municipality_id"] = municipality.pk
    facts["grid_type_id"] = grid.pk
    return facts


def make_cases(facts: dict) -> list[dict]:
    """Cases affecting 1, 10, 100 and all squares (made once, kept)."""
    from django.db.models import Count

    from areas.models import Area, Municipality
    from cases.models import AreaOrigin, Case, CaseArea

    municipality = Municipality.objects.get(pk=facts["municipality_id"])
    squares = list(
        Area.objects.filter(type_id=facts["grid_type_id"])
        .annotate(n=Count("priorities"))
        .order_by("-n", "id")
        .values_list("id", "n")
    )
    # The typical square (median count) for one area; the most populated for 10 and 100.
    typical = squares[len(squares) // 2][0]
    made = []
    for size in SIZES:
        ids = [typical] if size == 1 else [a for a, _n in squares[: size or len(squares)]]
        number = f"2026/9{len(ids):04d}"
        case, created = Case.objects.get_or_create(
            municipality=municipality,
            number=number,
            defaults={
                "title": f"Benchmark: {len(ids)} areas",
                "body": "kommunestyre",
                "summary": "Made by tests.bench.digests.",
            },
        )
        if created or case.case_areas.count() != len(ids):
            CaseArea.objects.filter(case=case).delete()
            CaseArea.objects.bulk_create(
                CaseArea(case=case, area_id=a, origin=AreaOrigin.COMPUTED) for a in ids
            )
        made.append({"case": case.pk, "areas": ids, "number": number})
    return made


def measure(case: dict, runs: int, row_runs: int, problems: list[str]) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.DEBUG = False
    client = Client()
    api_url = f"/api/v1/cases/{case['case']}/digest/"
    page_url = f"/cases/{case['case']}/digest/"
    params = {"areas": case["areas"], "municipality": None}
    from cases.models import Case

    params["municipality"] = Case.objects.get(pk=case["case"]).municipality_id
    clock = time.perf_counter
    for _ in range(2):  # warm-up
        client.get(api_url)
        client.get(page_url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(api_url)
    # Counted now: the capture reads the connection's log lazily, and the next request
    # empties it.
    query_count = len(queries)
    if response.status_code != 200:
        problems.append(f"{api_url}: {response.status_code}")
        return {"areas": len(case["areas"]), "status": response.status_code}
    body = response.json()
    api, page, rollup = [], [], []
    for _ in range(runs):
        start = clock()
        client.get(api_url)
        api.append(clock() - start)
        start = clock()
        page_response = client.get(page_url)
        page.append(clock() - start)
        with connection.cursor() as cursor:
            start = clock()
            cursor.execute(RAW_ROLLUP_SQL, params)
            cursor.fetchall()
            rollup.append(clock() - start)
    if page_response.status_code != 200:
        problems.append(f"{page_url}: {page_response.status_code}")
    rows = []
    for _ in range(row_runs):
        with connection.cursor() as cursor:
            start = clock()
            cursor.execute(RAW_ROWS_SQL, params)
            found = cursor.fetchall()
            rows.append(clock() - start)
    total = next(
        r[4] for r in found if r[0] is None and r[1] is None and r[2] is None and r[3] is None
    )
    said = body["totals"]["priorities"]
    if said != total:
        problems.append(f"{len(case['areas'])} areas: the digest says {said}, the rows {total}")
    result = {
        "areas": len(case["areas"]),
        "priorities": total,
        "queries": query_count,
        "api_ms": summary(api, 1000),
        "page_ms": summary(page, 1000),
        "raw_rollup_ms": summary(rollup, 1000),
        "raw_rows_ms": summary(rows, 1000),
        "agrees": said == total,
    }
    result["ratio_api_raw_rollup_p95"] = result["api_ms"]["p95"] / result["raw_rollup_ms"]["p95"]
    result["ratio_raw_rows_api_p50"] = result["raw_rows_ms"]["p50"] / result["api_ms"]["p50"]
    return result


def format_report(results: dict) -> str:
    lines = [
        f"Case digests over {results['facts']['squares']} squares of {GRID_METRES} m "
        f"(database {results['facts']['database']}; load average "
        f"{results['load_average'][0]:.1f} before); ms",
        "  API = GET /api/v1/cases/{id}/digest/; page = GET /cases/{id}/digest/; raw rollup = "
        "the aggregates from the rollup as one SQL statement; raw rows = the same from the "
        "priorities and their links as one SQL statement (no rollup)",
        f"  {'areas':>5} {'priorities':>10} {'queries':>7} {'API p50':>8} {'p95':>7} "
        f"{'page p50':>8} {'p95':>7} {'rollup p50':>10} {'p95':>6} {'rows p50':>9} "
        f"{'API/rollup p95':>14} {'rows/API p50':>12} same",
    ]
    for r in results["cases"]:
        if "api_ms" not in r:
            continue
        lines.append(
            f"  {r['areas']:>5} {r['priorities']:>10,} {r['queries']:>7} "
            f"{r['api_ms']['p50']:>8.1f} {r['api_ms']['p95']:>7.1f} "
            f"{r['page_ms']['p50']:>8.1f} {r['page_ms']['p95']:>7.1f} "
            f"{r['raw_rollup_ms']['p50']:>10.1f} {r['raw_rollup_ms']['p95']:>6.1f} "
            f"{r['raw_rows_ms']['p50']:>9.0f} {r['ratio_api_raw_rollup_p95']:>13.1f}x "
            f"{r['ratio_raw_rows_api_p50']:>11.0f}x {'yes' if r['agrees'] else 'NO'}"
        )
    goal = next((r for r in results["cases"] if r.get("areas") == GOAL_AREAS), None)
    queries = {r["queries"] for r in results["cases"] if "queries" in r}
    lines.append(
        f"goal: API p95 < {GOAL_P95_MS:.0f} ms for {GOAL_AREAS} areas: "
        + (verdict(goal["api_ms"]["p95"] < GOAL_P95_MS) if goal else "not measured")
        + f"; SQL queries per digest: {', '.join(str(q) for q in sorted(queries))} "
        + ("(the same for every size)" if len(queries) == 1 else "(NOT the same for every size)")
    )
    lines += ["", "problems:" if results["problems"] else "problems: none"]
    lines += [f"  - {p}" for p in results["problems"]]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reuse", action="store_true", help="reuse the planner bench database")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed runs per case ({RUNS})")
    parser.add_argument(
        "--row-runs", type=int, default=ROW_RUNS, help=f"runs of the no-rollup SQL ({ROW_RUNS})"
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
        "cases": [measure(c, args.runs, args.row_runs, problems) for c in make_cases(facts)],
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
