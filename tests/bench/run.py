"""Benchmark area imports against ogr2ogr, and point lookups against raw SQL.

Run with ``make bench`` or ``.venv/bin/python -m tests.bench.run``. Not part of the
pytest suite. Everything happens in a separate database, ``nabolaget_bench``, on the
server of ``settings.DATABASES['default']``, so the development data is untouched:
the database is dropped and created afresh on every run (so its schema always matches
the migrations, and one run's leftovers never slow the next), migrated, and given the
demo municipality.

Imports: each reference file (tests/data/kartverket) is imported N times by our importer
core (``import_areas``; the area type's areas and their subdivisions are deleted before
every run, so each run is a fresh full import) and N times by ``ogr2ogr -f PostgreSQL``; then our import
is repeated once on the loaded data (every area unchanged). Goal: within 3x of ogr2ogr.

Lookups: the same random points over Norway's bounding box are looked up through
the API (Django's test Client, in-process), the ORM (``Area.objects.covering``) and
the equivalent raw SQL on the subdivided table; the naive raw SQL on the whole
geometries is timed on the first points for reference. Goals: API p95 under 5 ms, and
API p50 within 5x of the raw SQL's (the API/raw ratios are printed at p50 and p95).

The results are printed as a table and written to ``bench-results/areas.json``.
The exit status is 1 when a correctness check fails (a lookup that disagrees, a
response that is not 200, an import that did not create or keep every feature).

Then, in the same database, the priorities benchmark (``tests/bench/priorities.py``):
a bulk load of ``--priorities N`` priorities (1,000,000) into Bodø, map requests at
zoom levels from the whole municipality to a street, and creating one; written to
``bench-results/priorities.json``. ``--skip-priorities`` leaves it out and
``--skip-areas`` runs it alone.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
# Kartverket's files, shipped in the repository with the tests (CC BY 4.0).
REFERENCE_DATA = BASE_DIR / "tests" / "data" / "kartverket"
BENCH_DB = "nabolaget_bench"
OUTPUT = BASE_DIR / "bench-results" / "areas.json"
PRIORITIES_OUTPUT = BASE_DIR / "bench-results" / "priorities.json"

IMPORT_GOAL_RATIO = 3.0
API_GOAL_P95_MS = 5.0
# The point lookup through the API against the raw SQL on the same table, at p50 (issue 13).
API_GOAL_RAW_RATIO_P50 = 5.0
NORWAY_BBOX = (4.5, 57.9, 31.5, 71.2)  # lon min, lat min, lon max, lat max
SEED = 1804
WARMUP_CALLS = 100

API_URL = "/api/v1/areas/?contains={lon},{lat}&geometry=false"
# The lookup Area.objects.covering() makes, written by hand on the subdivided pieces.
RAW_SUBDIVIDED_SQL = """
SELECT DISTINCT ON (a.type_id) a.id
FROM areas_area a JOIN areas_areasubdivision s ON s.area_id = a.id
WHERE ST_Covers(s.geom, ST_Transform(ST_SetSRID(ST_MakePoint(%s,%s),4326),25833))
  AND (a.valid_from IS NULL OR a.valid_from <= CURRENT_DATE)
  AND (a.valid_to IS NULL OR a.valid_to > CURRENT_DATE)
ORDER BY a.type_id, a.code, a.id
"""
# The same on the whole (not subdivided) geometries, for reference.
RAW_WHOLE_SQL = """
SELECT DISTINCT ON (a.type_id) a.id
FROM areas_area a
WHERE ST_Covers(a.geom, ST_Transform(ST_SetSRID(ST_MakePoint(%s,%s),4326),25833))
  AND (a.valid_from IS NULL OR a.valid_from <= CURRENT_DATE)
  AND (a.valid_to IS NULL OR a.valid_to > CURRENT_DATE)
ORDER BY a.type_id, a.code, a.id
"""


@dataclass(frozen=True)
class ImportCase:
    """One reference file, imported by us as ``type_slug`` and by ogr2ogr into ``ogr_table``."""

    key: str
    path: Path
    type_slug: str
    code_field: str
    name_field: str
    layer: str | None
    ogr_source: str
    ogr_table: str


def import_cases() -> list[ImportCase]:
    kommuner = REFERENCE_DATA / "kommuner-2024.geojson"
    fylker = REFERENCE_DATA / "Basisdata_0000_Norge_25833_Fylker_GeoJSON.zip"
    return [
        ImportCase(
            key="kommuner",
            path=kommuner,
            type_slug="bench-kommune",
            code_field="kommunenummer",
            name_field="kommunenavn",
            layer=None,
            ogr_source=str(kommuner.resolve()),
            ogr_table="bench_ogr_kommuner",
        ),
        ImportCase(
            key="fylker",
            path=fylker,
            type_slug="bench-fylke",
            code_field="fylkesnummer",
            name_field="fylkesnavn",
            layer="Fylke",
            ogr_source=f"/vsizip/{fylker.resolve()}",
            ogr_table="bench_ogr_fylker",
        ),
    ]


# --- statistics -----------------------------------------------------------------------


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile from the sorted list (the p95 of 5 runs is the slowest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def summary(values: Sequence[float], scale: float = 1.0) -> dict:
    return {
        "n": len(values),
        "p50": statistics.median(values) * scale,
        "p95": percentile(values, 95) * scale,
        "p99": percentile(values, 99) * scale,
        "mean": statistics.fmean(values) * scale,
        "min": min(values) * scale,
        "max": max(values) * scale,
    }


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- database -------------------------------------------------------------------------


# The web role's user and password, kept by as_owner for a server the bench starts.
WEB_ROLE: dict = {}


def as_owner(settings, name: str) -> dict:
    """The bench and load processes make and fill their own databases: they connect as the
    owner role (it creates databases, disables triggers for bulk loads), on both aliases,
    to the database ``name``. Returns the default alias's settings."""
    owner = settings.DATABASES["owner"]
    web = settings.DATABASES["default"]
    WEB_ROLE.update({key: web[key] for key in ("USER", "PASSWORD")})
    for database in settings.DATABASES.values():
        database.update({key: owner[key] for key in ("USER", "PASSWORD")}, NAME=name)
        # A speed setting for benchmarks only: commits are not waited for on disk. Never
        # for make run or make test (README, "Nothing on the record is lost").
        database.setdefault("OPTIONS", {})["options"] = (
            database["OPTIONS"].get("options", "") + " -c synchronous_commit=off"
        ).strip()
    return settings.DATABASES["default"]


def setup_django() -> dict:
    """Point Django at a fresh bench database, then set Django up."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nabolaget.settings")
    import django
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database.get("NAME") == BENCH_DB:
        raise SystemExit(f"The settings' own database is {BENCH_DB}; the benchmark would drop it.")
    create_database(settings.DATABASES["owner"], BENCH_DB)
    database = as_owner(settings, BENCH_DB)
    django.setup()
    as_served(settings)
    return database


def as_served(settings) -> None:
    """Make this process answer requests as a served one does: DEBUG off (the development
    default logs every query; production does not), the test Client's Host allowed, and
    what is loaded so far kept out of the full garbage collections, as nabolaget/wsgi.py
    does in every gunicorn worker (without it a full collection costs a request ~100 ms)."""
    import gc

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    gc.freeze()


def libpq_params(database: dict, dbname: str) -> dict:
    params = {
        "host": database.get("HOST") or None,
        "port": str(database.get("PORT") or "") or None,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "dbname": dbname,
    }
    sslmode = (database.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        params["sslmode"] = sslmode
    return {key: value for key, value in params.items() if value}


def create_database(database: dict, name: str) -> None:
    """Create the bench database afresh: its schema then always matches the migrations."""
    import psycopg
    from psycopg import sql

    try:
        with psycopg.connect(**libpq_params(database, "postgres"), autocommit=True) as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if found:
                progress(f"Dropping the old database {name}")
                conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            progress(f"Creating database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise SystemExit(
            f"Cannot create the database {name} on {database.get('HOST')}:"
            f"{database.get('PORT')} ({exc}). Is the server up (bash scripts/ensure-db.sh)?"
        ) from exc


def prepare_database() -> None:
    import io

    from django.core.management import call_command

    progress(f"Migrating {BENCH_DB} and loading the demo municipality")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo", "--without-activity", stdout=io.StringIO())


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE areas_area, areas_areasubdivision")


def delete_areas_of_type(slug: str) -> None:
    from areas.models import Area

    # Cascades to the areas' subdivisions.
    Area.objects.filter(type__slug=slug).delete()


# --- imports --------------------------------------------------------------------------


def ogr2ogr_command(case: ImportCase, database: dict) -> tuple[list[str], dict]:
    params = libpq_params(database, BENCH_DB)
    password = params.pop("password", None)
    pg = "PG:" + " ".join(f"{key}={value}" for key, value in params.items())
    command = [shutil.which("ogr2ogr") or "ogr2ogr", "-f", "PostgreSQL", pg, case.ogr_source]
    if case.layer:
        command.append(case.layer)
    command += ["-nln", case.ogr_table, "-overwrite", "-lco", "GEOMETRY_NAME=geom"]
    command += ["-nlt", "PROMOTE_TO_MULTI", "-t_srs", "EPSG:25833"]
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = password  # not in the command line, where ps would show it
    return command, env


def run_ours(case: ImportCase, *, fresh: bool):
    from areas.importers import ImportOptions, import_areas

    if fresh:
        delete_areas_of_type(case.type_slug)
        vacuum_analyze()
    options = ImportOptions(
        path=case.path,
        type_slug=case.type_slug,
        code_field=case.code_field,
        name_field=case.name_field,
        layer=case.layer,
        source_label=f"benchmark: {case.path.name}",
    )
    start = time.perf_counter()
    report = import_areas(options)
    return time.perf_counter() - start, report


def run_ogr2ogr(case: ImportCase, command: list[str], env: dict) -> tuple[float, int]:
    from django.db import connection

    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"ogr2ogr failed ({result.returncode}): {result.stderr.strip()}")
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{case.ogr_table}"')
        (rows,) = cursor.fetchone()
    return elapsed, rows


def bench_import(case: ImportCase, database: dict, runs: int, problems: list[str]) -> dict:
    command, env = ogr2ogr_command(case, database)
    progress(f"Import {case.path.name}: warm-up, then {runs} runs each of ours and ogr2ogr")
    run_ours(case, fresh=True)
    run_ogr2ogr(case, command, env)
    ours, ogr, features = [], [], 0
    for _ in range(runs):  # alternate, so drift on the machine hits both alike
        elapsed, report = run_ours(case, fresh=True)
        ours.append(elapsed)
        features = report.features
        if report.created != report.features or report.unchanged or report.updated:
            problems.append(f"{case.key}: a fresh import did not create every area: {report}")
        elapsed, rows = run_ogr2ogr(case, command, env)
        ogr.append(elapsed)
        if rows != features:
            problems.append(f"{case.key}: ogr2ogr wrote {rows} rows for {features} features")
    vacuum_analyze()
    reimport, report = run_ours(case, fresh=False)
    if report.unchanged != report.features:
        problems.append(f"{case.key}: the re-import did not find every area unchanged: {report}")
    ours_s, ogr_s = summary(ours), summary(ogr)
    return {
        "file": case.path.name,
        "type": case.type_slug,
        "layer": case.layer,
        "features": features,
        "runs": runs,
        "ours_s": ours_s,
        "ours_runs_s": ours,
        "ogr2ogr_s": ogr_s,
        "ogr2ogr_runs_s": ogr,
        "ogr2ogr_command": list(command),
        "reimport_unchanged_s": reimport,
        "reimport_report": report.summary(),
        "ratio_p50": ours_s["p50"] / ogr_s["p50"],
        "ratio_p95": ours_s["p95"] / ogr_s["p95"],
        "goal_ratio": IMPORT_GOAL_RATIO,
        "goal_met": ours_s["p50"] / ogr_s["p50"] <= IMPORT_GOAL_RATIO,
    }


# --- lookups --------------------------------------------------------------------------


def random_points(count: int, rng: random.Random) -> list[tuple[float, float]]:
    lon_min, lat_min, lon_max, lat_max = NORWAY_BBOX
    # Six decimals (~0.1 m): the API's text and the SQL parameters are then the same numbers.
    return [
        (round(rng.uniform(lon_min, lon_max), 6), round(rng.uniform(lat_min, lat_max), 6))
        for _ in range(count)
    ]


def time_method(
    name: str,
    lookup: Callable[[float, float], object],
    points: Sequence[tuple[float, float]],
    warmup: Sequence[tuple[float, float]],
    ids: Callable[[object], list[int]] = list,
) -> tuple[list[float], list[list[int]]]:
    """Seconds per point after warm-up calls, and the sorted area ids found.

    Only ``lookup`` is timed; ``ids`` turns its result into area ids afterwards.
    """
    progress(f"Lookups {name}: {len(warmup)} warm-up calls, {len(points)} timed")
    for lon, lat in warmup:
        lookup(lon, lat)
    timings, found = [], []
    clock = time.perf_counter
    for lon, lat in points:
        start = clock()
        result = lookup(lon, lat)
        timings.append(clock() - start)
        found.append(sorted(ids(result)))
    return timings, found


def bench_lookups(points_count: int, naive_count: int, problems: list[str]) -> dict:
    from django.contrib.gis.geos import Point
    from django.db import connection
    from django.test import Client

    from areas.models import Area, AreaSubdivision

    vacuum_analyze()
    rng = random.Random(SEED)
    points = random_points(points_count, rng)
    warmup = random_points(WARMUP_CALLS, rng)
    client = Client()
    statuses: list[int] = []

    def api(lon: float, lat: float):
        return client.get(API_URL.format(lon=lon, lat=lat))

    def api_ids(response) -> list[int]:
        statuses.append(response.status_code)
        if response.status_code != 200:
            return []
        return [feature["id"] for feature in response.json()["features"]]

    def orm(lon: float, lat: float) -> list[int]:
        return list(Area.objects.covering(Point(lon, lat, srid=4326)).values_list("id", flat=True))

    cursors = []

    def raw(sql: str) -> Callable[[float, float], list[int]]:
        # A cursor opened now: the API's requests may have closed the connection meanwhile.
        cursor = connection.cursor()
        cursors.append(cursor)

        def lookup(lon: float, lat: float) -> list[int]:
            cursor.execute(sql, [lon, lat])
            return [row[0] for row in cursor.fetchall()]

        return lookup

    api_times, api_found = time_method("(a) API", api, points, warmup, api_ids)
    orm_times, orm_found = time_method("(b) ORM", orm, points, warmup)
    raw_times, raw_found = time_method("(c) raw SQL", raw(RAW_SUBDIVIDED_SQL), points, warmup)
    naive_times, naive_found = time_method(
        "(d) naive SQL", raw(RAW_WHOLE_SQL), points[:naive_count], warmup
    )
    for cursor in cursors:
        cursor.close()

    not_ok = [(points[i], s) for i, s in enumerate(statuses) if s != 200]
    orm_vs_raw = [points[i] for i in range(len(points)) if orm_found[i] != raw_found[i]]
    api_vs_orm = [points[i] for i in range(len(points)) if api_found[i] != orm_found[i]]
    naive_vs_raw = [points[i] for i in range(naive_count) if naive_found[i] != raw_found[i]]
    for label, bad in (
        ("API responses that are not 200", not_ok),
        ("points where the ORM and raw SQL disagree", orm_vs_raw),
        ("points where the API and the ORM disagree", api_vs_orm),
        ("points where the whole and subdivided geometries disagree", naive_vs_raw),
    ):
        if bad:
            problems.append(f"{len(bad)} {label}, e.g. {bad[:3]}")

    per_point = [len(ids) for ids in raw_found]
    timings = {
        "api": api_times,
        "orm": orm_times,
        "raw_subdivided": raw_times,
        "raw_whole": naive_times,
    }
    methods = {key: summary(times, 1000) for key, times in timings.items()}
    # Most of the bounding box is sea or Sweden: the points that hit an area, on their own.
    hits = [i for i, n in enumerate(per_point) if n]
    methods_in_area = {
        key: summary([times[i] for i in hits if i < len(times)], 1000)
        for key, times in timings.items()
    }
    raw_ms = methods["raw_subdivided"]
    return {
        "points": len(points),
        "seed": SEED,
        "bbox_lon_lat": NORWAY_BBOX,
        "warmup_calls": len(warmup),
        "points_in_an_area": sum(1 for n in per_point if n),
        "areas_per_point": {str(n): per_point.count(n) for n in sorted(set(per_point))},
        "areas": Area.objects.count(),
        "subdivisions": AreaSubdivision.objects.count(),
        "api_url": API_URL,
        "methods_ms": methods,
        "methods_in_area_ms": methods_in_area,
        "ratios": {
            "api_raw_p50": methods["api"]["p50"] / raw_ms["p50"],
            "api_raw_p95": methods["api"]["p95"] / raw_ms["p95"],
            "orm_raw_p50": methods["orm"]["p50"] / raw_ms["p50"],
            "orm_raw_p95": methods["orm"]["p95"] / raw_ms["p95"],
        },
        "checks": {
            "api_not_200": len(not_ok),
            "orm_vs_raw_mismatches": len(orm_vs_raw),
            "api_vs_orm_mismatches": len(api_vs_orm),
            "whole_vs_subdivided_mismatches": len(naive_vs_raw),
            "whole_vs_subdivided_points": naive_count,
        },
        "goal_api_p95_ms": API_GOAL_P95_MS,
        "goal_met": methods["api"]["p95"] < API_GOAL_P95_MS,
        "goal_api_raw_ratio_p50": API_GOAL_RAW_RATIO_P50,
        "goal_ratio_met": methods["api"]["p50"] / raw_ms["p50"] <= API_GOAL_RAW_RATIO_P50,
    }


# --- report ---------------------------------------------------------------------------


def environment(database: dict) -> dict:
    import django
    from django.contrib.gis import gdal
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (postgres,) = cursor.fetchone()
        cursor.execute("SELECT postgis_lib_version()")
        (postgis,) = cursor.fetchone()
    ogr = subprocess.run(["ogr2ogr", "--version"], capture_output=True, text=True, check=False)
    git = [
        subprocess.run(
            ["git", "-C", str(BASE_DIR), *command], capture_output=True, text=True, check=False
        ).stdout.strip()
        for command in (["rev-parse", "--short", "HEAD"], ["status", "--porcelain"])
    ]
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        # "+dirty": the working tree had uncommitted changes, which are what was measured.
        "git": (git[0] + ("+dirty" if git[1] else "")) or None,
        "database": f"{database.get('HOST')}:{database.get('PORT')}/{BENCH_DB}",
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": postgres,
        "postgis": postgis,
        "gdal_python": gdal.gdal_full_version().decode(),
        "ogr2ogr": ogr.stdout.strip(),
    }


def verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


def format_report(results: dict) -> str:
    env = results["environment"]
    lines = [
        f"Nabolaget area benchmark  {env['date']}  git {env['git']}",
        f"database {env['database']}; PostgreSQL {env['postgresql']}, PostGIS {env['postgis']}, "
        f"{env['ogr2ogr']}, {env['cpus']} CPUs",
        "",
    ]
    imports = results["imports"]
    runs = imports[0]["runs"] if imports else 0
    lines.append(
        f"Imports: {runs} fresh full imports per method (p95 of {runs} runs = the slowest), "
        "and one re-import of unchanged data; seconds"
    )
    for item in imports:
        ours, ogr = item["ours_s"], item["ogr2ogr_s"]
        goal = f"goal <= {item['goal_ratio']:.0f}x: {verdict(item['goal_met'])}"
        lines += [
            f"  {item['file']} -> {item['type']}, {item['features']} features",
            f"    {'method':<32} {'median':>8} {'p95':>8}",
            f"    {'ours (import_areas)':<32} {ours['p50']:>8.3f} {ours['p95']:>8.3f}",
            f"    {'ogr2ogr':<32} {ogr['p50']:>8.3f} {ogr['p95']:>8.3f}",
            f"    {'ours, re-import (unchanged)':<32} {item['reimport_unchanged_s']:>8.3f}",
            f"    {'ratio ours/ogr2ogr':<32} {item['ratio_p50']:>7.2f}x {item['ratio_p95']:>7.2f}x"
            f"   {goal}",
        ]
    look = results["lookups"]
    m = look["methods_ms"]
    names = {
        "api": "(a) API GET /api/v1/areas/?contains",
        "orm": "(b) ORM Area.objects.covering()",
        "raw_subdivided": "(c) raw SQL, subdivided pieces",
        "raw_whole": "(d) raw SQL, whole geometries",
    }
    lines += [
        "",
        f"Lookups: {look['points']:,} random points in lon {NORWAY_BBOX[0]}-{NORWAY_BBOX[2]}, "
        f"lat {NORWAY_BBOX[1]}-{NORWAY_BBOX[3]} (seed {look['seed']}), "
        f"{look['points_in_an_area']:,} of them in at least one area; "
        f"{look['areas']} areas in {look['subdivisions']:,} pieces; "
        f"{look['warmup_calls']} warm-up calls per method",
    ]
    for title, table in (
        ("all points", m),
        ("points in an area", look["methods_in_area_ms"]),
    ):
        lines.append(
            f"  {'ms per point: ' + title:<44} {'points':>7} {'p50':>8} {'p95':>8} "
            f"{'p99':>8} {'mean':>8}"
        )
        for key, name in names.items():
            row = table[key]
            lines.append(
                f"  {name:<44} {row['n']:>7} {row['p50']:>8.3f} {row['p95']:>8.3f} "
                f"{row['p99']:>8.3f} {row['mean']:>8.3f}"
            )
    r, c = look["ratios"], look["checks"]
    lines += [
        f"ratios: API/raw SQL {r['api_raw_p50']:.2f}x p50, {r['api_raw_p95']:.2f}x p95; "
        f"ORM/raw SQL {r['orm_raw_p50']:.2f}x p50, {r['orm_raw_p95']:.2f}x p95",
        f"checks: ORM vs raw SQL {c['orm_vs_raw_mismatches']} mismatches; API vs ORM "
        f"{c['api_vs_orm_mismatches']} mismatches; API not 200: {c['api_not_200']}; whole vs "
        f"subdivided {c['whole_vs_subdivided_mismatches']} mismatches "
        f"(first {c['whole_vs_subdivided_points']:,} points)",
        f"goal: API p95 < {look['goal_api_p95_ms']:.0f} ms: {verdict(look['goal_met'])} "
        f"({m['api']['p95']:.3f} ms)",
        f"goal: API p50 within {look['goal_api_raw_ratio_p50']:.0f}x of raw SQL: "
        f"{verdict(look['goal_ratio_met'])} ({r['api_raw_p50']:.2f}x: API "
        f"{m['api']['p50']:.3f} ms, raw {m['raw_subdivided']['p50']:.3f} ms; at p95 "
        f"{r['api_raw_p95']:.2f}x: {m['api']['p95']:.3f} against "
        f"{m['raw_subdivided']['p95']:.3f} ms)",
    ]
    lines += ["", "problems:" if results["problems"] else "problems: none"]
    lines += [f"  - {problem}" for problem in results["problems"]]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="import runs per method (5)")
    parser.add_argument("--points", type=int, default=10_000, help="lookup points (10000)")
    parser.add_argument(
        "--whole-points", type=int, default=1_000, help="points for the naive SQL (1000)"
    )
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"JSON file ({OUTPUT})")
    parser.add_argument(
        "--skip-areas", action="store_true", help="leave out the area imports and lookups"
    )
    parser.add_argument(
        "--skip-priorities", action="store_true", help="leave out the priorities benchmark"
    )
    parser.add_argument(
        "--priorities",
        type=int,
        default=1_000_000,
        metavar="N",
        help="priorities to load for the priorities benchmark (1000000)",
    )
    parser.add_argument(
        "--priorities-viewports", type=int, default=50, help="map viewports per zoom level (50)"
    )
    parser.add_argument(
        "--priorities-direct",
        type=int,
        default=10,
        help="viewports per zoom for clustering straight from the points (10)",
    )
    parser.add_argument(
        "--priorities-creates", type=int, default=200, help="priorities created (200)"
    )
    parser.add_argument(
        "--priorities-output",
        type=Path,
        default=PRIORITIES_OUTPUT,
        help=f"JSON file of the priorities benchmark ({PRIORITIES_OUTPUT})",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.skip_areas and shutil.which("ogr2ogr") is None:
        raise SystemExit("ogr2ogr is not installed (Debian: apt-get install gdal-bin).")
    started = time.perf_counter()
    database = setup_django()
    prepare_database()
    failed = False
    env = environment(database)
    if not args.skip_areas:
        problems: list[str] = []
        results = {"environment": env}
        results["imports"] = [
            bench_import(case, database, args.runs, problems) for case in import_cases()
        ]
        # bench-kommune and bench-fylke stay loaded: real detailed polygons for the lookups.
        results["lookups"] = bench_lookups(
            args.points, min(args.whole_points, args.points), problems
        )
        results["problems"] = problems
        results["seconds"] = time.perf_counter() - started
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(format_report(results))
        print(f"\n{results['seconds']:.0f} s for the areas; results written to {args.output}")
        failed = failed or bool(problems)
    if not args.skip_priorities:
        from tests.bench import priorities

        part = time.perf_counter()
        results = {"environment": env}
        results.update(
            priorities.run(
                rows=args.priorities,
                viewports=args.priorities_viewports,
                direct_viewports=args.priorities_direct,
                creates=args.priorities_creates,
            )
        )
        results["seconds"] = time.perf_counter() - part
        output = args.priorities_output
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        if not args.skip_areas:
            print()
        print(priorities.format_report(results, env))
        print(f"\n{results['seconds']:.0f} s for the priorities; results written to {output}")
        failed = failed or bool(results["problems"])
    print(f"{time.perf_counter() - started:.0f} s in all")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
