"""Benchmark the comparison of participants with the population: reading a population CSV
and counting the distinct participants of every kind per area.

Run with ``.venv/bin/python -m tests.bench.representation [--reuse] [--runs 30]`` (``make
bench`` runs it after the hearings). It works in a database of its own,
``nabolaget_bench_representation`` (the demo municipality without its activity, whose
school districts have the demo's population counts), made afresh unless ``--reuse`` finds
the input there: 20,000 priorities by 8,000 residents and 40,000 supports, inserted in
set-based statements and placed in their areas by the priorities' own triggers.

Measured, in one process:
  parse: ``areas.population.read_counts`` of an SSB-style CSV of 60,000 rows (single
         years of age by sex, quoted, Windows-1252) for the demo's school districts;
  representation: ``cases.representation.representation`` for the school districts (one
         statement for the participants of every kind, one for the population);
  page: GET /kommune/1804/representation/ through Django's test Client (as served);
  raw SQL: one hand-written statement counting distinct authors and supporters per area.
The comparison's counts are checked against the raw SQL's. Goals: parse under 3 s;
representation p95 under 300 ms and the page's p95 under 500 ms. Results go to
``bench-results/representation.json``; the exit status is 1 when a check fails, not when
a goal is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence

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

BENCH_DB = "nabolaget_bench_representation"
OUTPUT = BASE_DIR / "bench-results" / "representation.json"
PRIORITIES = 20_000
RESIDENTS = 8_000
SUPPORTS = 40_000
CSV_ROWS = 60_000
RUNS = 30
GOAL_PARSE_S = 3.0
GOAL_P95_MS = 300.0
GOAL_PAGE_P95_MS = 500.0

USERS_SQL = """
INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,
                           is_staff, is_active, date_joined, language, notify_by_email)
SELECT '!', false, 'bench-rep-' || i, '', '', 'bench-rep-' || i || '@example.no', false, true,
       now(), 'nb', false
  FROM generate_series(1, %(n)s) AS i
"""
# Points spread over the demo's school districts (their seeds, jittered a little), each
# priority placed by the same triggers and lookups as any other (areas from the point).
PRIORITIES_SQL = """
WITH seeds(n, lon, lat) AS (VALUES (0, 14.385, 67.283), (1, 14.42, 67.29), (2, 14.45, 67.27),
                                   (3, 14.6, 67.3), (4, 15.0, 67.117))
INSERT INTO priorities_priority
       (reference, municipality_id, author_id, created_at, status, category_id, title, text,
        point, visibility, support_count, hidden_reason)
SELECT 'BR-2026-' || lpad(i::text, 6, '0'), %(municipality)s,
       (SELECT id FROM accounts_user WHERE username = 'bench-rep-' || (1 + i %% %(residents)s)),
       now() - make_interval(mins => i), 'received', %(category)s,
       'Benchmark ' || i, 'Benchmark-prioritet ' || i,
       ST_Transform(ST_SetSRID(ST_MakePoint(s.lon + ((i * 7919) %% 100) / 50000.0,
                                            s.lat + ((i::bigint * 104729) %% 100) / 100000.0), 4326), 25833),
       'public', 0, ''
  FROM generate_series(1, %(n)s) AS i JOIN seeds s ON s.n = i %% 5
"""
SUPPORTS_SQL = """
INSERT INTO priorities_support (priority_id, user_id, created_at)
SELECT DISTINCT ON (p.id, u.id) p.id, u.id, now()
  FROM generate_series(1, %(n)s) AS i
  JOIN priorities_priority p ON p.reference = 'BR-2026-' || lpad((1 + (i * 31) %% %(priorities)s)::text, 6, '0')
  JOIN accounts_user u ON u.username = 'bench-rep-' || (1 + (i * 17) %% %(residents)s)
 WHERE p.author_id <> u.id
ON CONFLICT DO NOTHING
"""
RAW_SQL = """
SELECT pa.area_id, count(DISTINCT who)
  FROM (SELECT p.id, 'user:' || p.author_id AS who FROM priorities_priority p
         WHERE p.municipality_id = %(municipality)s AND p.visibility = 'public'
           AND p.author_id IS NOT NULL
        UNION ALL
        SELECT s.priority_id, 'user:' || s.user_id FROM priorities_support s
          JOIN priorities_priority p ON p.id = s.priority_id
         WHERE p.municipality_id = %(municipality)s AND p.visibility = 'public'
           AND s.withdrawn_at IS NULL) x
  JOIN priorities_priority_areas pa ON pa.priority_id = x.id
  JOIN areas_area a ON a.id = pa.area_id AND a.type_id = %(type)s AND a.valid_to IS NULL
 GROUP BY pa.area_id
"""


def database_exists(database: dict, name: str) -> bool:
    import psycopg

    with psycopg.connect(**libpq_params(database, "postgres"), autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def setup(reuse: bool) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nabolaget.settings")
    import django
    from django.conf import settings

    if settings.DATABASES["default"].get("NAME") == BENCH_DB:
        raise SystemExit(f"The settings' own database is {BENCH_DB}; the bench would drop it.")
    if not (reuse and database_exists(settings.DATABASES["owner"], BENCH_DB)):
        create_database(settings.DATABASES["owner"], BENCH_DB)
    database = as_owner(settings, BENCH_DB)
    django.setup()
    as_served(settings)
    from django.core.management import call_command

    progress(f"Migrating {BENCH_DB}")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    from priorities.models import Priority

    if not Priority.all_objects.filter(reference__startswith="BR-2026-").exists():
        import io

        from areas.models import Municipality

        if not Municipality.objects.filter(code="1804").exists():
            progress("Loading the demo municipality")
            call_command("load_demo", "--without-activity", stdout=io.StringIO())
        fill()
    return {"database": database["NAME"]}


def fill() -> None:
    from django.db import connection, transaction

    from areas.models import Municipality
    from priorities.models import Category

    progress(f"Adding {PRIORITIES:,} priorities by {RESIDENTS:,} residents, {SUPPORTS:,} supports")
    municipality = Municipality.objects.get(code="1804")
    params = {
        "municipality": municipality.pk,
        "category": Category.objects.get(slug="trafikksikkerhet", municipality=None).pk,
        "n": PRIORITIES,
        "residents": RESIDENTS,
        "priorities": PRIORITIES,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(USERS_SQL, {"n": RESIDENTS})
        cursor.execute(PRIORITIES_SQL, params)
        cursor.execute(SUPPORTS_SQL, {**params, "n": SUPPORTS})
    from areas.models import Area
    from priorities.services import priorities_relocate

    progress("Placing the priorities in their areas (the service a re-import uses)")
    for type_id in {
        area.type_id for area in Area.objects.current().filter(municipality=municipality)
    }:
        ids = list(
            Area.objects.current()
            .filter(municipality=municipality, type_id=type_id)
            .values_list("pk", flat=True)
        )
        with transaction.atomic():
            priorities_relocate(area_ids=ids, area_type_id=type_id)
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE priorities_priority, priorities_support, priorities_priority_areas"
        )


def ssb_csv() -> bytes:
    """An SSB-style export: title line, quoted headers, by sex and single year of age."""
    from areas.models import Area

    codes = list(
        Area.objects.current()
        .filter(municipality__code="1804", type__slug="skolekrets")
        .values_list("code", "name")
    )
    lines = [
        '"07459: Befolkning, etter region, kjønn, alder og år"',
        "",
        '"region";"kjønn";"alder";"år";"Personer"',
    ]
    row = 0
    year = 1990
    while row < CSV_ROWS:
        for code, name in codes:
            for sex in ("Menn", "Kvinner"):
                for age in range(106):
                    label = f"{age:03d} {age} år" if age < 105 else "105 år eller eldre"
                    lines.append(f'"{code} {name}";"{sex}";"{label}";"{year}";{(age * 7) % 50}')
                    row += 1
        year += 1
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def measure(runs: int, problems: list[str]) -> dict:
    from django.db import connection
    from django.test import Client

    from areas.models import AreaType, Municipality
    from areas.population import read_counts
    from cases.representation import representation

    bodo = Municipality.objects.get(code="1804")
    skolekrets = AreaType.objects.get(slug="skolekrets")
    data = ssb_csv()
    start = time.perf_counter()
    parsed = read_counts(data, bodo, skolekrets)
    parse_s = time.perf_counter() - start
    if parsed.errors:
        problems.append(f"the SSB-style file has bad rows: {parsed.errors[:2]}")
    client = Client()
    url = "/kommune/1804/representation/?type=skolekrets"
    client.get(url)
    timings: dict[str, list[float]] = {"representation": [], "page": [], "raw": []}
    clock = time.perf_counter
    result = raw = None
    for _ in range(runs):
        start = clock()
        result = representation(bodo, skolekrets)
        timings["representation"].append(clock() - start)
        start = clock()
        response = client.get(url)
        timings["page"].append(clock() - start)
        if response.status_code != 200:
            problems.append(f"{url}: {response.status_code}")
        with connection.cursor() as cursor:
            start = clock()
            cursor.execute(RAW_SQL, {"municipality": bodo.pk, "type": skolekrets.pk})
            raw = dict(cursor.fetchall())
            timings["raw"].append(clock() - start)
    ours = {row.id: row.participants for row in result.rows if row.participants}
    if ours != raw:
        problems.append("the comparison's participants per area differ from the raw SQL's")
    return {
        "csv_rows": parsed.rows,
        "csv_bytes": len(data),
        "parse_s": parse_s,
        "areas": len(result.rows),
        "participants": result.participants,
        **{f"{key}_ms": summary(values, 1000) for key, values in timings.items()},
    }


def format_report(results: dict) -> str:
    r = results["result"]
    lines = [
        f"Participants against the population: {r['participants']:,} distinct participants in "
        f"{r['areas']} school districts (database {results['facts']['database']}; load "
        f"average {results['load_average'][0]:.1f} before)",
        f"  parse an SSB-style CSV of {r['csv_rows']:,} rows ({r['csv_bytes'] / 1e6:.1f} MB): "
        f"{r['parse_s']:.2f} s",
        f"  {'ms':<34} {'p50':>7} {'p95':>7}",
    ]
    for key, label in [
        ("representation", "representation() per area"),
        ("raw", "  raw SQL: distinct per area"),
        ("page", "the page, GET"),
    ]:
        t = r[f"{key}_ms"]
        lines.append(f"  {label:<34} {t['p50']:>7.1f} {t['p95']:>7.1f}")
    ratio = r["representation_ms"]["p50"] / max(r["raw_ms"]["p50"], 1e-6)
    lines.append(f"  representation() / raw SQL (p50): {ratio:.1f}×")
    lines.append(f"goal: parse < {GOAL_PARSE_S:.0f} s: {verdict(r['parse_s'] < GOAL_PARSE_S)}")
    lines.append(
        f"goal: representation() p95 < {GOAL_P95_MS:.0f} ms: "
        f"{verdict(r['representation_ms']['p95'] < GOAL_P95_MS)}"
    )
    lines.append(
        f"goal: page p95 < {GOAL_PAGE_P95_MS:.0f} ms: "
        f"{verdict(r['page_ms']['p95'] < GOAL_PAGE_P95_MS)}"
    )
    lines += ["", "problems:" if results["problems"] else "problems: none"]
    lines += [f"  - {p}" for p in results["problems"]]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reuse", action="store_true", help=f"reuse {BENCH_DB}")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed runs ({RUNS})")
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
        "result": measure(args.runs, problems),
        "problems": problems,
    }
    results["seconds"] = time.perf_counter() - started
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(format_report(results))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
