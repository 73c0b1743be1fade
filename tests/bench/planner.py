"""Benchmark the planner's queries on an Oslo-size municipality, each beside raw SQL.

Run with ``.venv/bin/python -m tests.bench.planner [--rows 1300000] [--reuse]``. Not part
of the pytest suite. Everything happens in a database of its own, ``nabolaget_bench_planner``
(not ``nabolaget_bench``, which ``tests.bench.run`` drops whenever it starts, so the two
benchmarks can run side by side), on the server of ``settings.DATABASES['default']``:
dropped and created afresh, migrated, given the demo municipality Bodø (1804), and loaded
with ``--rows`` priorities (1,300,000: an Oslo-size municipality) by the priorities
benchmark's own set-based loader (``tests.bench.priorities.load``). Bodø stands in for
Oslo: the points are uniform over its kommune polygon, so every area gets priorities in
proportion to its area. ``--reuse`` keeps the database when it already holds at least
``--rows`` priorities in Bodø (it is only migrated), to iterate fast on indexes and code.

Each query is timed ``--runs`` times (50) after warm-up, in-process through Django's test
Client, alternating with
  raw:  hand-written SQL doing the same database work as the request (the page query,
        the areas of the page's rows and the count estimate for a list; the three
        aggregates of an area's stats), run with a cursor on the same connection, and
  core: the one query at the heart of it (the ORDER BY created_at DESC, id DESC LIMIT 51
        page query; the totals aggregate; the grouped aggregate per area).
Queries: the list (first page, and page 1,000 reached by following ``next`` 999 times;
past ``--follow-budget`` seconds its cursor is built from an OFFSET query instead), text
search for words of the loader's titles and texts, area + category, an area's stats (the
whole kommune, a skolekrets), the counts per skolekrets, and the planner page (logged in
as a planner; no raw comparator). A query so slow that its runs would take longer than
``--case-budget`` seconds gets fewer (at least 3; the table's n). Goal: API p95 under
100 ms and API p95 within 1.5x of the raw SQL's. For a query that misses it, the SQL of
its first warm-up request (CaptureQueriesContext) gets EXPLAIN (ANALYZE, BUFFERS), printed.

The results are printed as a table and written to ``bench-results/planner.json``. The
exit status is 1 when a check fails (a response that is not 200, an API answer that
differs from the raw SQL's), not when a goal is missed.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import io
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.bench.priorities import MUNICIPALITY, SENTENCES, TITLES, load
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

PLANNER_DB = "nabolaget_bench_planner"
OUTPUT = BASE_DIR / "bench-results" / "planner.json"
DEFAULT_ROWS = 1_300_000
RUNS = 50
WARMUP = 5
PAGE_SIZE = 50
DEEP_PAGE = 1_000
FOLLOW_BUDGET_S = 300.0
CASE_BUDGET_S = 120.0
MIN_RUNS = 3
GOAL_P95_MS = 100.0
GOAL_RATIO = 1.5
REFERENCE_RUNS = 3
ESTIMATE_EXACT_BELOW = 10_000  # core.db.estimate_count's default
PLANNER_USERNAME = "bench-planner"
# Words of the loader's titles and texts (tests.bench.priorities.TITLES and SENTENCES):
# a title word (1 in 10 rows), a text word (1 in 4), two title words, and a word that
# no generated priority has (nothing to find: the whole municipality is searched).
SEARCH_WORDS = ("gatelys", "vinteren", "trygg skolevei", "sykkelparkering")

LIST_URL = "/api/v1/priorities/?municipality={code}&page_size={size}"

# --- SQL by hand ------------------------------------------------------------------------

# The columns the list's Features show, with their category and municipality.
PAGE_SQL = """
SELECT p.id, p.reference, p.title, p.text, c.slug, p.status, p.support_count, m.code,
       p.created_at, p.first_answered_at, ST_AsGeoJSON(ST_Transform(p.point, 4326), 7)
  FROM priorities_priority p
  JOIN priorities_category c ON c.id = p.category_id
  JOIN areas_municipality m ON m.id = p.municipality_id
 WHERE p.visibility = 'public' AND m.code = %(code)s{where}
 ORDER BY p.created_at DESC, p.id DESC
 LIMIT %(limit)s
"""
# The query PostgreSQL's row estimate is taken from (and counted exactly when small).
ESTIMATE_FROM = """
  FROM priorities_priority p
  JOIN priorities_category c ON c.id = p.category_id
  JOIN areas_municipality m ON m.id = p.municipality_id
 WHERE p.visibility = 'public' AND m.code = %(code)s{where}
"""
PAGE_AREAS_SQL = """
SELECT pa.priority_id, a.id, a.name, t.slug
  FROM priorities_priority_areas pa
  JOIN areas_area a ON a.id = pa.area_id
  JOIN areas_areatype t ON t.id = a.type_id
 WHERE pa.priority_id = ANY(%(ids)s)
"""
WHERE_SEARCH = "\n   AND p.search_vector @@ websearch_to_tsquery('norwegian', %(q)s)"
WHERE_AFTER = "\n   AND (p.created_at, p.id) < (%(at)s, %(id)s)"
WHERE_CATEGORY = "\n   AND c.slug = %(category)s"
# An area's sub-areas (Area.children): with the area, its tree, as
# PriorityQuerySet.in_area_tree looks it up before the query that uses it. The ids go
# into the SQL as a list of numbers ({tree}), as the ORM writes them: with "= ANY(array)"
# PostgreSQL estimates the rows far worse and picks a slower plan.
CHILDREN_SQL = "SELECT id FROM areas_area WHERE parent_id = %(area)s"
IN_TREE = """EXISTS (SELECT 1 FROM priorities_priority_areas pa
                WHERE pa.priority_id = p.id AND pa.area_id IN ({tree}))"""
WHERE_AREA = f"\n   AND {IN_TREE}"

# Whole days, as the API counts them (and the rollup stores them).
MEDIAN_DAYS = (
    "percentile_cont(0.5) WITHIN GROUP "
    "(ORDER BY floor(EXTRACT(EPOCH FROM (p.first_answered_at - p.created_at)) / 86400.0))"
)
TOTALS = f"""count(*), coalesce(sum(p.support_count), 0),
       count(*) FILTER (WHERE p.first_answered_at IS NOT NULL),
       {MEDIAN_DAYS}"""
STATS_TOTALS_SQL = f"""
SELECT {TOTALS}
  FROM priorities_priority p
 WHERE p.visibility = 'public' AND {IN_TREE}
"""
STATS_BY_CATEGORY_SQL = f"""
SELECT c.slug, count(*)
  FROM priorities_priority p JOIN priorities_category c ON c.id = p.category_id
 WHERE p.visibility = 'public' AND {IN_TREE}
 GROUP BY c.slug
"""
STATS_BY_STATUS_SQL = f"""
SELECT p.status, count(*)
  FROM priorities_priority p
 WHERE p.visibility = 'public' AND {IN_TREE}
 GROUP BY p.status
"""
BY_AREA_SQL = f"""
SELECT pa.area_id, {TOTALS}
  FROM priorities_priority_areas pa
  JOIN areas_area a ON a.id = pa.area_id
  JOIN areas_areatype t ON t.id = a.type_id
  JOIN priorities_priority p ON p.id = pa.priority_id
  JOIN areas_municipality m ON m.id = p.municipality_id
 WHERE t.slug = %(type)s AND p.visibility = 'public' AND m.code = %(code)s
 GROUP BY pa.area_id
"""
# The same counts from the rollup tables (priorities.rollups), as the API reads them: an
# area whose sub-areas lie inside it is counted by its own rows.
ROLLUP_TOTALS_SQL = """
SELECT coalesce(sum(count), 0), coalesce(sum(supports), 0),
       coalesce(sum(count) FILTER (WHERE answered), 0)
  FROM priorities_priorityareastat WHERE municipality_id = %(m)s AND area_id = %(area)s
"""
ROLLUP_DAYS_SQL = """
SELECT days, sum(count) FROM priorities_priorityanswerdays
 WHERE municipality_id = %(m)s AND area_id = %(area)s GROUP BY days
"""
ROLLUP_BY_CATEGORY_STATUS_SQL = """
SELECT c.slug, r.status, sum(r.count)
  FROM priorities_priorityareastat r JOIN priorities_category c ON c.id = r.category_id
 WHERE r.municipality_id = %(m)s AND r.area_id = %(area)s
 GROUP BY c.slug, r.status HAVING sum(r.count) > 0
"""
ROLLUP_BY_AREA_SQL = """
SELECT r.area_id, sum(r.count), sum(r.supports), coalesce(sum(r.count) FILTER (WHERE r.answered), 0)
  FROM priorities_priorityareastat r
  JOIN areas_area a ON a.id = r.area_id JOIN areas_areatype t ON t.id = a.type_id
 WHERE r.municipality_id = %(m)s AND t.slug = %(type)s
 GROUP BY r.area_id HAVING sum(r.count) > 0
"""
ROLLUP_DAYS_BY_AREA_SQL = """
SELECT r.area_id, r.days, sum(r.count)
  FROM priorities_priorityanswerdays r
  JOIN areas_area a ON a.id = r.area_id JOIN areas_areatype t ON t.id = a.type_id
 WHERE r.municipality_id = %(m)s AND t.slug = %(type)s
 GROUP BY r.area_id, r.days
"""
# How the priorities spread over the skolekretser, beside the kretser's areas.
SPREAD_SQL = """
SELECT a.id, a.name, ST_Area(a.geom),
       (SELECT count(*) FROM priorities_priority_areas pa WHERE pa.area_id = a.id)
  FROM areas_area a
  JOIN areas_areatype t ON t.id = a.type_id
  JOIN areas_municipality m ON m.id = a.municipality_id
 WHERE t.slug = 'skolekrets' AND m.code = %s AND a.valid_to IS NULL
 ORDER BY a.id
"""


# --- set-up -----------------------------------------------------------------------------


def loaded_rows(database: dict) -> int:
    """Priorities in Bodø in the planner bench database; 0 if it (or its table) is missing."""
    import psycopg

    try:
        with psycopg.connect(**libpq_params(database, PLANNER_DB)) as conn:
            row = conn.execute(
                "SELECT count(*) FROM priorities_priority p JOIN areas_municipality m "
                "ON m.id = p.municipality_id WHERE m.code = %s",
                [MUNICIPALITY],
            ).fetchone()
            return row[0]
    except psycopg.Error:
        return 0


def setup_django(rows: int, reuse: bool) -> tuple[dict, bool]:
    """Point Django at the planner bench database (fresh unless reused), then set it up."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nabolaget.settings")
    import django
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database.get("NAME") == PLANNER_DB:
        raise SystemExit(
            f"The settings' own database is {PLANNER_DB}; the benchmark would drop it."
        )
    reused = False
    if reuse:
        found = loaded_rows(database)
        reused = found >= rows
        progress(
            f"--reuse: {PLANNER_DB} has {found:,} priorities in {MUNICIPALITY}; "
            + ("reusing it" if reused else f"fewer than {rows:,}, so it is made afresh")
        )
    if not reused:
        create_database(settings.DATABASES["owner"], PLANNER_DB)
    database = as_owner(settings, PLANNER_DB)
    django.setup()
    as_served(settings)
    return database, reused


def prepare_database(rows: int, reused: bool, problems: list[str]) -> dict:
    """Migrate (always: a reused database gets new indexes), load the demo and the rows."""
    from django.core.management import call_command

    progress(f"Migrating {PLANNER_DB}")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    if reused:
        return {"reused": True, "rows": rows}
    progress("Loading the demo municipality")
    call_command("load_demo", "--without-activity", stdout=io.StringIO())
    info = load(rows, problems)
    info["reused"] = False
    return info


def environment(database: dict) -> dict:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (postgres,) = cursor.fetchone()
        cursor.execute("SELECT postgis_lib_version()")
        (postgis,) = cursor.fetchone()
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
        "database": f"{database.get('HOST')}:{database.get('PORT')}/{PLANNER_DB}",
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": postgres,
        "postgis": postgis,
    }


def bind_tree(sql: str, params) -> str:
    """The SQL with the area tree's ids (``params['tree']``, numbers) in place of {tree}."""
    if "{tree}" not in sql:
        return sql
    return sql.replace("{tree}", ", ".join(str(int(area)) for area in params["tree"]))


def rows_of(sql: str, params=None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(bind_tree(sql, params), params)
        return cursor.fetchall()


def one(sql: str, params=None):
    return rows_of(sql, params)[0][0]


def data_facts(load_info: dict) -> dict:
    """What was loaded, and how it spreads over the skolekretser beside their areas."""
    from areas.models import Area

    boundary = Area.objects.current().get(type__slug="kommune", code=MUNICIPALITY)
    rows = one(
        "SELECT count(*) FROM priorities_priority WHERE municipality_id = %s",
        [boundary.municipality_id],
    )
    public = one(
        "SELECT count(*) FROM priorities_priority WHERE municipality_id = %s "
        "AND visibility = 'public'",
        [boundary.municipality_id],
    )
    km2 = one("SELECT ST_Area(geom) / 1e6 FROM areas_area WHERE id = %s", [boundary.pk])
    kretser = [
        {"id": i, "name": name, "km2": m2 / 1e6, "priorities": n}
        for i, name, m2, n in rows_of(SPREAD_SQL, [MUNICIPALITY])
    ]
    area_total = sum(k["km2"] for k in kretser) or 1.0
    count_total = sum(k["priorities"] for k in kretser) or 1
    for k in kretser:
        k["count_share_over_area_share"] = (k["priorities"] / count_total) / (k["km2"] / area_total)
    return {
        **load_info,
        "priorities_in_municipality": rows,
        "public_in_municipality": public,
        "kommune_area_id": boundary.pk,
        "km2": km2,
        "per_km2": rows / km2,
        "skolekretser": kretser,
    }


def planner_client():
    """A test Client logged in as an account with the planner role in Bodø."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from accounts.models import Role, RoleGrant
    from areas.models import Municipality

    users = get_user_model().objects
    user = users.filter(username=PLANNER_USERNAME).first() or users.create_user(
        username=PLANNER_USERNAME, email=f"{PLANNER_USERNAME}@example.invalid"
    )
    RoleGrant.objects.get_or_create(
        user=user, role=Role.PLANNER, municipality=Municipality.objects.get(code=MUNICIPALITY)
    )
    client = Client()
    client.force_login(user)
    return client


# --- what is measured -------------------------------------------------------------------


@dataclass
class Case:
    """One request, timed beside hand-written SQL doing the same work and its core query."""

    key: str
    label: str
    url: str
    client: object
    # Hand-written SQL doing the request's database work; returns what the API should say.
    raw: Callable[[], object] | None = None
    # The one query at the heart of it: (sql, params).
    core: tuple[str, dict] | None = None
    # What the API said, comparable with raw()'s answer.
    answer: Callable[[object], object] | None = None
    # The same answer aggregated from the priorities themselves (no rollup), run a few
    # times after the others: what the rollup saves, and a check that it is exact.
    reference: Callable[[], object] | None = None
    notes: dict = field(default_factory=dict)


def run_sql(cursor, sql: str, params: dict) -> list[tuple]:
    cursor.execute(bind_tree(sql, params), params)
    return cursor.fetchall()


def resolved(params: dict) -> dict:
    """``params`` with the area's tree looked up now (for the core query and counts)."""
    from django.db import connection

    with connection.cursor() as cursor:
        return with_tree(cursor, params)


def with_tree(cursor, params: dict) -> dict:
    """``params`` with ``tree``: the area ``params['area']`` and its sub-areas, looked up."""
    if "area" not in params:
        return params
    children = [row[0] for row in run_sql(cursor, CHILDREN_SQL, params)]
    return {**params, "tree": [params["area"], *children]}


def estimate(cursor, where: str, params: dict) -> int:
    """The count a list reports: PostgreSQL's estimate, or the exact count when small."""
    sql = bind_tree(ESTIMATE_FROM.format(where=where), params)
    cursor.execute("EXPLAIN (FORMAT JSON) SELECT p.id" + sql, params)
    plan = cursor.fetchone()[0]
    rows = int(plan[0]["Plan"]["Plan Rows"])
    if rows < ESTIMATE_EXACT_BELOW:
        cursor.execute("SELECT count(*)" + sql, params)
        return cursor.fetchone()[0]
    return rows


def list_raw(where: str, params: dict, filters: str) -> Callable[[], list[int]]:
    """The list's work by hand: the page (51 rows), the areas of its 50, the count.

    ``filters`` is ``where`` without the page cursor: the count is of the whole list.
    """
    from django.db import connection

    sql = PAGE_SQL.format(where=where)
    page_params = {**params, "limit": PAGE_SIZE + 1}

    def call() -> list[int]:
        with connection.cursor() as cursor:
            found = with_tree(cursor, page_params)
            rows = run_sql(cursor, sql, found)[:PAGE_SIZE]
            ids = [row[0] for row in rows]
            run_sql(cursor, PAGE_AREAS_SQL, {"ids": ids})
            estimate(cursor, filters, found)
        return ids

    return call


def list_answer(response) -> list[int]:
    return [feature["id"] for feature in response.json()["features"]]


def pg_estimate(where: str, params: dict) -> int:
    """PostgreSQL's row estimate for a list's filter (what estimate_count goes by)."""
    sql = "EXPLAIN (FORMAT JSON) SELECT p.id" + ESTIMATE_FROM.format(where=where)
    return int(rows_of(sql, params)[0][0][0]["Plan"]["Plan Rows"])


def list_case(
    key: str, label: str, url: str, client, where: str, params: dict, cursor: str = ""
) -> Case:
    return Case(
        key=key,
        label=label,
        url=url,
        client=client,
        raw=list_raw(where + cursor, params, where),
        core=(PAGE_SQL.format(where=where + cursor), resolved({**params, "limit": PAGE_SIZE + 1})),
        answer=list_answer,
        notes={"pg_estimate_rows": pg_estimate(where, resolved(params))},
    )


def rounded(value):
    return None if value is None else round(float(value), 6)


def median_of(pairs) -> float | None:
    from priorities.querysets import median_of_histogram

    return median_of_histogram(pairs)


def stats_case(key: str, label: str, client, area_id: int) -> Case:
    from django.db import connection

    from areas.models import Area

    area = Area.objects.defer("geom").get(pk=area_id)
    params = {"area": area_id}
    rollup_params = {"area": area_id, "m": area.municipality_id}

    def rows_answer() -> dict:
        with connection.cursor() as cursor:
            found = with_tree(cursor, params)
            count, supports, answered, median = run_sql(cursor, STATS_TOTALS_SQL, found)[0]
            categories = run_sql(cursor, STATS_BY_CATEGORY_SQL, found)
            statuses = run_sql(cursor, STATS_BY_STATUS_SQL, found)
        return {
            "totals": [count, supports, answered, rounded(median)],
            "by_category": sorted(categories),
            "by_status": sorted(statuses),
        }

    def raw() -> dict:
        with connection.cursor() as cursor:
            count, supports, answered = run_sql(cursor, ROLLUP_TOTALS_SQL, rollup_params)[0]
            days = run_sql(cursor, ROLLUP_DAYS_SQL, rollup_params)
            cells = run_sql(cursor, ROLLUP_BY_CATEGORY_STATUS_SQL, rollup_params)
        categories, statuses = {}, {}
        for slug, status, n in cells:
            categories[slug] = categories.get(slug, 0) + n
            statuses[status] = statuses.get(status, 0) + n
        return {
            "totals": [count, supports, answered, rounded(median_of(days))],
            "by_category": sorted(categories.items()),
            "by_status": sorted(statuses.items()),
        }

    def answer(response) -> dict:
        body = response.json()
        t = body["totals"]
        return {
            "totals": [
                t["count"],
                t["supports"],
                t["answered"],
                rounded(t["median_days_to_first_answer"]),
            ],
            "by_category": sorted((r["category"], r["count"]) for r in body["by_category"]),
            "by_status": sorted((r["status"], r["count"]) for r in body["by_status"]),
        }

    return Case(
        key=key,
        label=label,
        url=f"/api/v1/areas/{area_id}/stats/",
        client=client,
        raw=raw,
        core=(ROLLUP_TOTALS_SQL, rollup_params),
        answer=answer,
        reference=rows_answer,
    )


def by_area_case(client) -> Case:
    from django.db import connection

    from areas.models import Municipality

    params = {"type": "skolekrets", "code": MUNICIPALITY}
    rollup_params = {"type": "skolekrets", "m": Municipality.objects.get(code=MUNICIPALITY).pk}

    def rows_answer() -> list:
        with connection.cursor() as cursor:
            rows = run_sql(cursor, BY_AREA_SQL, params)
        return sorted((a, n, s, ans, rounded(m)) for a, n, s, ans, m in rows)

    def raw() -> list:
        with connection.cursor() as cursor:
            rows = run_sql(cursor, ROLLUP_BY_AREA_SQL, rollup_params)
            days: dict = {}
            for area, d, n in run_sql(cursor, ROLLUP_DAYS_BY_AREA_SQL, rollup_params):
                days.setdefault(area, []).append((d, n))
        return sorted((a, n, s, ans, rounded(median_of(days.get(a, [])))) for a, n, s, ans in rows)

    def answer(response) -> list:
        return sorted(
            (
                r["area"],
                r["count"],
                r["supports"],
                r["answered"],
                rounded(r["median_days_to_first_answer"]),
            )
            for r in response.json()
        )

    return Case(
        key="by_area_skolekrets",
        label="counts per skolekrets (by-area)",
        url=f"/api/v1/priorities/by-area/?municipality={MUNICIPALITY}&area_type=skolekrets",
        client=client,
        raw=raw,
        core=(ROLLUP_BY_AREA_SQL, rollup_params),
        answer=answer,
        reference=rows_answer,
    )


def page_url(page: int) -> str:
    """The list URL of ``page`` (1-based), its cursor built from an OFFSET query by hand."""
    offset_sql = PAGE_SQL.format(where="").replace("LIMIT %(limit)s", "LIMIT 1 OFFSET %(offset)s")
    last = rows_of(offset_sql, {"code": MUNICIPALITY, "offset": (page - 1) * PAGE_SIZE - 1})
    pk, at = last[0][0], last[0][8]
    return (
        LIST_URL.format(code=MUNICIPALITY, size=PAGE_SIZE)
        + "&"
        + urlencode({"after": f"{at.isoformat()}|{pk}"})
    )


def deep_page_cursor(client, budget: float, problems: list[str]) -> tuple[str, dict]:
    """The page-1,000 URL, reached by following ``next`` 999 times; checked against OFFSET.

    When following every link would take longer than ``budget`` seconds (projected from
    the first pages), the links are followed that far, and page 1,000's cursor is built
    from an OFFSET query instead (checked against the followed links where they end).
    """
    progress(f"Page {DEEP_PAGE:,}: following the next link up to {DEEP_PAGE - 1} times")
    url = LIST_URL.format(code=MUNICIPALITY, size=PAGE_SIZE)
    timings = []
    clock = time.perf_counter
    started = clock()
    for done in range(1, DEEP_PAGE):
        start = clock()
        response = client.get(url)
        timings.append(clock() - start)
        if response.status_code != 200 or not response.json()["next"]:
            raise SystemExit(f"Following the list's next links stopped at {url}: {response}")
        parts = urlsplit(response.json()["next"])
        url = f"{parts.path}?{parts.query}"  # page done + 1
        if done >= 20 and (clock() - started) / done * (DEEP_PAGE - 1) > budget:
            progress(
                f"  {done} pages in {clock() - started:.0f} s: all {DEEP_PAGE - 1} would take "
                f"over --follow-budget {budget:.0f} s; page {DEEP_PAGE:,}'s cursor is built "
                "from OFFSET"
            )
            break
    reached = len(timings) + 1
    built = page_url(reached)
    followed = list_answer(client.get(url))
    agrees = bool(followed) and followed == list_answer(client.get(built))
    if not agrees:
        problems.append(
            f"page {reached}: the followed next links and OFFSET "
            f"{(reached - 1) * PAGE_SIZE} disagree ({url} vs {built})"
        )
    if reached < DEEP_PAGE:
        url = page_url(DEEP_PAGE)
    return url, {
        "follow_requests": len(timings),
        "follow_seconds": sum(timings),
        "follow_ms": summary(timings, 1000),
        "followed_to_page": reached,
        "cursor_agrees_with_offset": agrees,
        "cursor": parse_qs(urlsplit(url).query)["after"][0],
    }


def build_cases(facts: dict, follow_budget: float, problems: list[str]) -> list[Case]:
    from django.test import Client

    from priorities.models import Category

    anonymous = Client()
    code = {"code": MUNICIPALITY}
    base = LIST_URL.format(code=MUNICIPALITY, size=PAGE_SIZE)
    cases = [list_case("list_first", "list, first page", base, anonymous, "", code)]
    cases[0].notes["matches"] = facts["public_in_municipality"]

    deep_url, deep_notes = deep_page_cursor(anonymous, follow_budget, problems)
    at_text, pk = deep_notes["cursor"].rsplit("|", 1)
    at = datetime.datetime.fromisoformat(at_text)
    deep = list_case(
        "list_page_1000",
        f"list, page {DEEP_PAGE:,} (keyset)",
        deep_url,
        anonymous,
        "",
        {**code, "at": at, "id": int(pk)},
        cursor=WHERE_AFTER,
    )
    deep.notes.update(deep_notes, matches=facts["public_in_municipality"])
    cases.append(deep)

    for word in SEARCH_WORDS:
        in_loader = all(
            any(w.lower() in text.lower() for text in [*TITLES, *SENTENCES]) for w in word.split()
        )
        case = list_case(
            f"search_{word.replace(' ', '_')}",
            f"search q={word}" + ("" if in_loader else " (none)"),
            base + "&" + urlencode({"q": word}),
            anonymous,
            WHERE_SEARCH,
            {**code, "q": word},
        )
        case.notes.update(
            in_loader_texts=in_loader,
            matches=one(
                "SELECT count(*)" + ESTIMATE_FROM.format(where=WHERE_SEARCH), {**code, "q": word}
            ),
        )
        cases.append(case)

    kretser = sorted(facts["skolekretser"], key=lambda k: (k["priorities"], k["id"]))
    smallest, largest = kretser[0], kretser[-1]
    category = Category.objects.filter(municipality__isnull=True).order_by("position", "slug")[0]
    filtered = list_case(
        "list_area_category",
        f"list, area {smallest['id']} + category",
        base + "&" + urlencode({"area": smallest["id"], "category": category.slug}),
        anonymous,
        WHERE_CATEGORY + WHERE_AREA,
        {**code, "category": category.slug, "area": smallest["id"]},
    )
    filtered.notes.update(
        area=smallest,
        category=category.slug,
        matches=one(
            "SELECT count(*)" + ESTIMATE_FROM.format(where=WHERE_CATEGORY + WHERE_AREA),
            resolved({**code, "category": category.slug, "area": smallest["id"]}),
        ),
    )
    cases.append(filtered)

    kommune = stats_case(
        "stats_kommune", "stats, kommune (all)", anonymous, facts["kommune_area_id"]
    )
    kommune.notes = {
        "area_id": facts["kommune_area_id"],
        "matches": facts["public_in_municipality"],
    }
    krets = stats_case(
        "stats_skolekrets", f"stats, skolekrets {largest['id']}", anonymous, largest["id"]
    )
    krets.notes = {"area": largest, "matches": largest["priorities"]}
    cases += [kommune, krets, by_area_case(anonymous)]

    planner = planner_client()
    cases.append(Case("planner_page", "planner page /planner/", "/planner/", planner))
    cases.append(
        Case(
            "planner_page_filtered",
            "planner page, area + category",
            "/planner/?" + urlencode({"area": smallest["id"], "category": category.slug}),
            planner,
            notes={"area": smallest["id"], "category": category.slug},
        )
    )
    return cases


def backend_pid() -> int | None:
    from django.db import connection

    return connection.connection.info.backend_pid if connection.connection else None


def time_case(case: Case, runs: int, warmup: int, budget: float, problems: list[str]) -> dict:
    """Time the request, its raw SQL and its core query, alternating.

    A query so slow that ``runs`` rounds would take over ``budget`` seconds gets fewer
    rounds (at least MIN_RUNS), and fewer warm-ups: its p95 is then the slowest of few.
    """
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    progress(f"{case.label}: {case.url}")
    gc.collect()
    statuses, api, raw, core, fresh = [], [], [], [], 0
    clock = time.perf_counter
    response = raw_answer = None

    captured: dict = {}

    def round_trip(timed: bool) -> None:
        nonlocal response, raw_answer, fresh
        pid = backend_pid()
        if not timed and not captured:  # the first warm-up: the request's SQL, for EXPLAIN
            reset_queries()  # a full query log (a deque of 9,000) would hide new entries
            with CaptureQueriesContext(connection) as queries:
                start = clock()
                response = case.client.get(case.url)
                elapsed = clock() - start
            captured.update(queries=queries.captured_queries, request_ms=elapsed * 1000)
        else:
            start = clock()
            response = case.client.get(case.url)
            elapsed = clock() - start
        if timed:
            api.append(elapsed)
            fresh += pid is not None and backend_pid() != pid
            statuses.append(response.status_code)
        if case.raw:
            start = clock()
            raw_answer = case.raw()
            if timed:
                raw.append(clock() - start)
        if case.core:
            with connection.cursor() as cursor:
                start = clock()
                run_sql(cursor, *case.core)
                if timed:
                    core.append(clock() - start)

    warmed, started, last = 0, clock(), 0.0
    while warmed < max(warmup, 1) and (warmed == 0 or clock() - started < budget / 5):
        start = clock()
        round_trip(timed=False)
        last, warmed = clock() - start, warmed + 1
    planned = min(runs, max(MIN_RUNS, int(budget / max(last, 1e-9))))
    progress(
        f"  {warmed} warm-up, {planned} timed"
        + (
            f" (not {runs}: {last:.1f} s a round, --case-budget {budget:.0f} s)"
            if planned < runs
            else ""
        )
    )
    for _ in range(planned):  # alternate, so drift on the machine hits every method alike
        round_trip(timed=True)
    not_200 = sum(1 for s in statuses if s != 200)
    if not_200:
        problems.append(f"{case.label}: {not_200} responses not 200 (e.g. {statuses[0]})")
    same = None
    if case.answer and response is not None and response.status_code == 200:
        api_answer = case.answer(response)
        same = api_answer == raw_answer
        if not same:
            problems.append(
                f"{case.label}: the API and the raw SQL disagree: "
                f"{str(api_answer)[:200]} vs {str(raw_answer)[:200]}"
            )
    count = None
    if response is not None and response.status_code == 200 and "json" in response["Content-Type"]:
        body = response.json()
        if isinstance(body, dict) and "count_is_estimate" in body:
            count = {"count": body["count"], "is_estimate": body["count_is_estimate"]}
    reference = []
    if case.reference:
        for _ in range(REFERENCE_RUNS):
            start = clock()
            reference_answer = case.reference()
            reference.append(clock() - start)
        answered = case.answer and response is not None and response.status_code == 200
        if answered and case.answer(response) != reference_answer:
            problems.append(
                f"{case.label}: the API (rollup) and the rows' aggregate disagree: "
                f"{str(case.answer(response))[:200]} vs {str(reference_answer)[:200]}"
            )
    result = {
        "key": case.key,
        "api_count": count,
        "label": case.label,
        "url": case.url,
        "notes": case.notes,
        "runs": planned,
        "runs_asked": runs,
        "warmup": warmed,
        "api_ms": summary(api, 1000),
        "api_runs_ms": [t * 1000 for t in api],
        "api_new_connections": fresh,
        "not_200": not_200,
        "answer_agrees": same,
        "raw_ms": summary(raw, 1000) if raw else None,
        "raw_runs_ms": [t * 1000 for t in raw],
        "core_ms": summary(core, 1000) if core else None,
        "core_sql": bind_tree(*case.core).strip() if case.core else None,
        "reference_ms": summary(reference, 1000) if reference else None,
    }
    if raw:
        result["ratio_api_raw_p50"] = result["api_ms"]["p50"] / result["raw_ms"]["p50"]
        result["ratio_api_raw_p95"] = result["api_ms"]["p95"] / result["raw_ms"]["p95"]
        result["ratio_api_core_p95"] = result["api_ms"]["p95"] / result["core_ms"]["p95"]
    result["goal_p95_met"] = result["api_ms"]["p95"] < GOAL_P95_MS
    result["goal_ratio_met"] = result.get("ratio_api_raw_p95", 0.0) <= GOAL_RATIO
    result["goal_met"] = result["goal_p95_met"] and result["goal_ratio_met"] and not not_200
    if not result["goal_met"]:
        progress("  goal not met: EXPLAIN (ANALYZE, BUFFERS) of the request's SQL")
        result["explain"] = explain(case, captured)
    return result


# pghistory's middleware puts its context in front of a request's SQL.
PGHISTORY_PREFIX = re.compile(r"^SELECT set_config\('pghistory\.context_id'.*?, true\);\s*", re.S)


def explain(case: Case, captured: dict) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of each SELECT a request sent (captured in its warm-up)."""
    from django.db import connection

    queries = []
    with connection.cursor() as cursor:
        for query in captured["queries"]:
            sql = PGHISTORY_PREFIX.sub("", query["sql"])
            item = {"sql": sql, "captured_ms": float(query["time"]) * 1000}
            if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                item["plan"] = [row[0] for row in cursor.fetchall()]
                item["execution_ms"] = plan_ms(item["plan"], "Execution Time")
                item["planning_ms"] = plan_ms(item["plan"], "Planning Time")
            queries.append(item)
        core = None
        if case.core:
            sql = bind_tree(case.core[0], case.core[1])
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, case.core[1])
            plan = [row[0] for row in cursor.fetchall()]
            core = {"sql": sql.strip(), "params": case.core[1], "plan": plan}
            core["execution_ms"] = plan_ms(plan, "Execution Time")
    return {
        "request_ms": captured["request_ms"],
        "sql_ms": sum(q["captured_ms"] for q in queries),
        "queries": queries,
        "core": core,
    }


def plan_ms(plan: Sequence[str], label: str) -> float | None:
    for line in plan:
        if line.strip().startswith(label + ":"):
            return float(line.split(":")[1].split()[0])
    return None


# --- entry point and report -------------------------------------------------------------


def run(args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    database, reused = setup_django(args.rows, args.reuse)
    problems: list[str] = []
    load_info = prepare_database(args.rows, reused, problems)
    env = environment(database)
    facts = data_facts(load_info)
    cases = build_cases(facts, args.follow_budget, problems)
    load_before = os.getloadavg()
    results = []
    for case in cases:
        results.append(time_case(case, args.runs, args.warmup, args.case_budget, problems))
    return {
        "environment": {
            **env,
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
        },
        "municipality": MUNICIPALITY,
        "data": facts,
        "goal_p95_ms": GOAL_P95_MS,
        "goal_ratio": GOAL_RATIO,
        "warmup": args.warmup,
        "case_budget_s": args.case_budget,
        "cases": results,
        "goal_met": all(r["goal_met"] for r in results),
        "problems": problems,
        "seconds": time.perf_counter() - started,
    }


def format_report(results: dict) -> str:
    env, data = results["environment"], results["data"]
    kretser = data["skolekretser"]
    shares = [k["count_share_over_area_share"] for k in kretser]
    load_line = (
        f"reused {PLANNER_DB} (loaded earlier)"
        if data.get("reused")
        else f"loaded in {data['seconds']:.0f} s with tests.bench.priorities.load"
    )
    lines = [
        f"Nabolaget planner benchmark  {env['date']}  git {env['git']}",
        f"database {env['database']}; PostgreSQL {env['postgresql']}, PostGIS "
        f"{env['postgis']}, {env['cpus']} CPUs; load average "
        f"{env['load_average_before'][0]:.1f} before, {env['load_average_after'][0]:.1f} after",
        "",
        f"Data: {data['priorities_in_municipality']:,} priorities "
        f"({data['public_in_municipality']:,} public) in Bodø ({results['municipality']}), "
        f"standing in for an Oslo-size municipality; {load_line}.",
        f"  The points are uniform over Bodø's {data['km2']:,.0f} km² kommune polygon "
        f"({data['per_km2']:,.0f} per km²), so every area gets priorities in proportion to "
        "its area:",
        f"  over the {len(kretser)} skolekretser, share of priorities / share of area is "
        f"{min(shares):.3f}–{max(shares):.3f}; they hold "
        f"{min(k['priorities'] for k in kretser):,}–{max(k['priorities'] for k in kretser):,}.",
        "",
    ]
    cases = results["cases"]
    asked = cases[0]["runs_asked"] if cases else 0
    lines += [
        f"Queries: {asked} timed runs each (n: fewer where {asked} would pass --case-budget "
        f"{results['case_budget_s']:.0f} s) after up to {results['warmup']} warm-up, "
        "alternating API / raw / core; ms",
        "  API  = the request through Django's test Client, in-process",
        "  raw  = hand-written SQL doing the request's database work (list: page query, areas "
        "of its rows, count estimate; stats and by-area: its reads of the rollup tables)",
        "  core = the one query at its heart (list: ORDER BY created_at DESC, id DESC LIMIT 51; "
        "stats: the rollup's totals; by-area: the rollup grouped by area)",
        f"  {'query':<34} {'n':>3} {'rows':>9} {'count':>10} {'API p50':>8} {'p95':>7} {'p99':>7} "
        f"{'raw p50':>8} {'p95':>7} {'core p50':>8} {'p95':>7} {'API/raw p50':>11} {'p95':>6} "
        f"{'/core p95':>9} {'conn':>4} {'same':>4}  goal",
    ]

    def cell(value, width: int, fmt: str = ".1f") -> str:
        return f"{'-':>{width}}" if value is None else f"{value:>{width}{fmt}}"

    for r in cases:
        a, w, c = r["api_ms"], r["raw_ms"] or {}, r["core_ms"] or {}
        rows = r["notes"].get("matches")
        same = {True: "yes", False: "NO", None: "-"}[r["answer_agrees"]]
        count = r["api_count"]
        count = f"{'~' if count['is_estimate'] else ''}{count['count']:,}" if count else "-"
        lines.append(
            f"  {r['label']:<34} {r['runs']:>3} {cell(rows, 9, ',')} {count:>10} {a['p50']:>8.1f} {a['p95']:>7.1f} "
            f"{a['p99']:>7.1f} {cell(w.get('p50'), 8)} {cell(w.get('p95'), 7)} "
            f"{cell(c.get('p50'), 8)} {cell(c.get('p95'), 7)} "
            f"{cell(r.get('ratio_api_raw_p50'), 10, '.2f')}x "
            f"{cell(r.get('ratio_api_raw_p95'), 5, '.2f')}x "
            f"{cell(r.get('ratio_api_core_p95'), 8, '.1f')}x "
            f"{r['api_new_connections']:>4} {same:>4}  {verdict(r['goal_met'])}"
        )
    for r in cases:
        if r.get("reference_ms"):
            lines.append(
                f"  {r['label']}: the same answer aggregated from the priorities themselves "
                f"(no rollup): p50 {r['reference_ms']['p50']:.0f} ms, "
                f"{r['reference_ms']['p50'] / r['api_ms']['p50']:.0f}x the API; "
                "the answers agree"
                if not any(r["label"] in p for p in results.get("problems", []))
                else f"  {r['label']}: the rollup and the rows DISAGREE (see problems)"
            )
    deep = next((r for r in cases if r["key"] == "list_page_1000"), None)
    lines += [
        "  rows = priorities matching the filter; count = the count the list reports (~: "
        f"PostgreSQL's row estimate; without ~: counted, as the estimate was under "
        f"{ESTIMATE_EXACT_BELOW:,});",
        "  conn = API requests that opened a new database connection; same = the API's answer "
        "(ids of the page, the stats) equals the raw SQL's",
        "  PostgreSQL's row estimates for the lists' filters: "
        + ", ".join(
            f"{r['label'].split(',')[-1].strip()} {r['notes']['pg_estimate_rows']:,}"
            for r in cases
            if "pg_estimate_rows" in r["notes"] and r["key"] != "list_page_1000"
        ),
    ]
    if deep:
        n = deep["notes"]
        reached = n["followed_to_page"]
        how = (
            f"reached by following next {n['follow_requests']} times"
            if reached == DEEP_PAGE
            else f"cursor built from OFFSET {(DEEP_PAGE - 1) * PAGE_SIZE - 1} (following next "
            f"stopped at page {reached}, past --follow-budget)"
        )
        lines.append(
            f"  page {DEEP_PAGE:,}: {how}; following took {n['follow_seconds']:.1f} s, "
            f"{n['follow_ms']['p50']:.1f} ms p50 per page; the followed page {reached:,} "
            f"{'equals' if n['cursor_agrees_with_offset'] else 'DIFFERS FROM'} the one from "
            f"an OFFSET cursor"
        )
    for r in cases:
        if r["key"] == "list_area_category":
            area = r["notes"]["area"]
            lines.append(
                f"  area + category: skolekrets {area['name']} (id {area['id']}, the one with "
                f"fewest priorities, {area['priorities']:,}), category {r['notes']['category']}"
            )
        if r["key"] == "stats_skolekrets":
            area = r["notes"]["area"]
            lines.append(
                f"  stats, skolekrets: {area['name']} (id {area['id']}, the one with most "
                f"priorities, {area['priorities']:,})"
            )
    missed = [r for r in cases if not r["goal_met"]]
    lines += [
        f"goal: API p95 < {results['goal_p95_ms']:.0f} ms and API p95 <= "
        f"{results['goal_ratio']:.1f}x raw SQL's: {verdict(results['goal_met'])}"
        + (f" ({len(missed)} of {len(cases)} missed)" if missed else ""),
    ]
    for r in missed:
        lines += ["", *format_explain(r)]
    lines += ["", "problems:" if results["problems"] else "problems: none"]
    lines += [f"  - {problem}" for problem in results["problems"]]
    return "\n".join(lines)


def format_explain(result: dict, slowest: int = 3, plan_lines: int = 30) -> list[str]:
    ex = result.get("explain")
    if not ex:
        return []
    why = []
    if not result["goal_p95_met"]:
        why.append(f"p95 {result['api_ms']['p95']:.1f} ms")
    if not result["goal_ratio_met"]:
        why.append(f"{result['ratio_api_raw_p95']:.2f}x raw")
    lines = [
        f"NOT MET: {result['label']} ({', '.join(why)})  GET {result['url']}",
        f"  the first warm-up request: {ex['request_ms']:.1f} ms, of which {ex['sql_ms']:.1f} ms in "
        f"{len(ex['queries'])} SQL queries (the rest is Python: Django, DRF, templates)",
    ]
    analysed = sorted(
        (q for q in ex["queries"] if q.get("plan")), key=lambda q: -(q["execution_ms"] or 0)
    )
    for q in analysed[:slowest]:
        sql = " ".join(q["sql"].split())
        lines += [
            f"  query ({q['captured_ms']:.1f} ms in the request; EXPLAIN ANALYZE: planning "
            f"{q['planning_ms']} ms, execution {q['execution_ms']} ms):",
            f"    {sql[:600]}{' …' if len(sql) > 600 else ''}",
        ]
        plan = q["plan"]
        body = [line for line in plan if not line.startswith(("Planning", "Execution"))]
        lines += [f"    | {line}" for line in body[:plan_lines]]
        if len(body) > plan_lines:
            lines.append(f"    | … {len(body) - plan_lines} more plan lines in the JSON")
    rest = len(ex["queries"]) - min(len(analysed), slowest)
    if rest > 0:
        lines.append(
            f"  ({rest} other queries: "
            + ", ".join(
                f"{q['captured_ms']:.1f}"
                for q in sorted(ex["queries"], key=lambda q: -q["captured_ms"])[slowest:][:12]
            )
            + " ms …)"
        )
    if ex["core"]:
        lines.append(
            f"  raw core query for comparison: execution {ex['core']['execution_ms']} ms "
            "(plan in the JSON)"
        )
    return lines


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, default=DEFAULT_ROWS, help=f"priorities to load ({DEFAULT_ROWS})"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help=f"keep {PLANNER_DB} if it already has --rows priorities (migrate only)",
    )
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed runs per query ({RUNS})")
    parser.add_argument(
        "--warmup", type=int, default=WARMUP, help=f"warm-up runs per query ({WARMUP})"
    )
    parser.add_argument(
        "--follow-budget",
        type=float,
        default=FOLLOW_BUDGET_S,
        help="seconds to spend following next links to page 1,000; beyond, its cursor is "
        f"built from OFFSET ({FOLLOW_BUDGET_S:.0f})",
    )
    parser.add_argument(
        "--case-budget",
        type=float,
        default=CASE_BUDGET_S,
        help="seconds a query's timed rounds may take; a slower query gets fewer runs "
        f"(at least {MIN_RUNS}) ({CASE_BUDGET_S:.0f})",
    )
    parser.add_argument("--output", default=str(OUTPUT), help=f"JSON file ({OUTPUT})")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    from pathlib import Path

    args = parse_args(argv)
    if args.runs < 1:
        raise SystemExit("--runs must be at least 1")
    if args.rows <= DEEP_PAGE * PAGE_SIZE:
        raise SystemExit(
            f"--rows must be over {DEEP_PAGE * PAGE_SIZE:,} to reach page {DEEP_PAGE:,}"
        )
    results = run(args)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(format_report(results))
    print(f"\n{results['seconds']:.0f} s; results written to {output}")
    return 1 if results["problems"] else 0


__all__ = ["DEFAULT_ROWS", "format_report", "run"]

if __name__ == "__main__":
    sys.exit(main())
