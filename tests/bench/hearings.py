"""Benchmark a hearing with 10,000 answers: its list of answers and its summary page.

Run with ``.venv/bin/python -m tests.bench.hearings [--reuse] [--runs 50]`` (``make bench``
runs it after the digests). It works in a database of its own, ``nabolaget_bench_hearings``
(the demo municipality, without its activity), made afresh unless ``--reuse`` finds the
hearing there. The hearing is on one case; its 10,000 answers (residents, organisations,
councils, one in ten late, one in twenty waiting for a moderator) are inserted in one
set-based statement each (the history triggers run), linked to the case, and covered by
20 themes of 500 answers each.

Each run, in one process and alternating:
  list: GET /hearings/{id}/answers/ (the first page) and ?page=N (the last page), through
        Django's test Client (in-process, as served: DEBUG off);
  summary: GET /hearings/{id}/summary/ (the counts and every theme with its answers);
  raw list: one SQL statement for the same page's rows, and the count;
  raw summary: one SQL statement for the counts and one for the themes with their answers.
The pages are checked against the raw SQL (the first page's references, the counts).
Goal: p95 under 100 ms for both pages. Results go to ``bench-results/hearings.json``; the
exit status is 1 when a check fails, not when the goal is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
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

HEARINGS_DB = "nabolaget_bench_hearings"
OUTPUT = BASE_DIR / "bench-results" / "hearings.json"
ANSWERS = 10_000
THEMES = 20
GOAL_P95_MS = 100.0
RUNS = 50
CASE_NUMBER = "2026/88888"

ANSWERS_SQL = """
INSERT INTO hearings_hearinganswer
       (reference, municipality_id, author_id, created_at, status, hearing_id, respondent,
        text, signed_name, name_withheld, organisation_name, organisation_number,
        contact_person, council_id, late, visibility, hidden_reason)
SELECT 'HB-2026-' || lpad(i::text, 6, '0'), %(municipality)s, NULL,
       now() - make_interval(mins => %(n)s - i), 'received', %(hearing)s,
       CASE WHEN i %% 10 = 0 THEN 'organisation' WHEN i %% 25 = 0 THEN 'council' ELSE 'resident' END,
       'Svar nummer ' || i || ': skoleveien trenger gangfelt, lys og lavere fart ved skolen.',
       'Innbygger ' || i, i %% 7 = 0,
       CASE WHEN i %% 10 = 0 THEN 'Forening ' || i ELSE '' END,
       CASE WHEN i %% 10 = 0 THEN '923609016' ELSE '' END,
       CASE WHEN i %% 10 = 0 THEN 'Kontakt ' || i ELSE '' END,
       CASE WHEN i %% 10 <> 0 AND i %% 25 = 0 THEN %(council)s END,
       i %% 10 = 3, CASE WHEN i %% 20 = 1 THEN 'pending_review' ELSE 'public' END, ''
  FROM generate_series(1, %(n)s) AS i
"""
LINKS_SQL = """
INSERT INTO hearings_hearinganswercaselink (record_id, municipality_id, case_number, linked_at)
SELECT a.id, a.municipality_id, %(number)s, a.created_at
  FROM hearings_hearinganswer a WHERE a.hearing_id = %(hearing)s
"""
THEME_ANSWERS_SQL = """
INSERT INTO hearings_hearingtheme_answers (hearingtheme_id, hearinganswer_id)
SELECT t.id, a.id
  FROM hearings_hearingtheme t
  JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n
          FROM hearings_hearinganswer WHERE hearing_id = %(hearing)s) a
    ON a.n / %(per)s = t.position
 WHERE t.hearing_id = %(hearing)s
"""
RAW_LIST_SQL = """
SELECT a.reference, a.respondent, a.signed_name, a.name_withheld, a.organisation_name,
       c.name, a.text, a.late, a.status, a.created_at
  FROM hearings_hearinganswer a LEFT JOIN councils_council c ON c.id = a.council_id
 WHERE a.hearing_id = %(hearing)s AND a.visibility = 'public'
 ORDER BY a.created_at DESC, a.id DESC
 LIMIT %(limit)s OFFSET %(offset)s
"""
RAW_COUNT_SQL = """
SELECT count(*) FROM hearings_hearinganswer
 WHERE hearing_id = %(hearing)s AND visibility = 'public'
"""
RAW_COUNTS_SQL = """
SELECT count(*), count(*) FILTER (WHERE late),
       count(*) FILTER (WHERE respondent = 'resident'),
       count(*) FILTER (WHERE respondent = 'organisation'),
       count(*) FILTER (WHERE respondent = 'council')
  FROM hearings_hearinganswer WHERE hearing_id = %(hearing)s
"""
RAW_THEMES_SQL = """
SELECT t.id, t.title, t.text, array_agg(a.reference ORDER BY a.reference)
  FROM hearings_hearingtheme t
  LEFT JOIN hearings_hearingtheme_answers ta ON ta.hearingtheme_id = t.id
  LEFT JOIN hearings_hearinganswer a ON a.id = ta.hearinganswer_id
 WHERE t.hearing_id = %(hearing)s
 GROUP BY t.id ORDER BY t.position, t.id
"""


def database_exists(database: dict, name: str) -> bool:
    import psycopg

    with psycopg.connect(**libpq_params(database, "postgres"), autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def setup(reuse: bool) -> dict:
    """The bench database (made afresh unless reused), with the hearing and its answers."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nabolaget.settings")
    import django
    from django.conf import settings

    if settings.DATABASES["default"].get("NAME") == HEARINGS_DB:
        raise SystemExit(f"The settings' own database is {HEARINGS_DB}; the bench would drop it.")
    if not (reuse and database_exists(settings.DATABASES["owner"], HEARINGS_DB)):
        create_database(settings.DATABASES["owner"], HEARINGS_DB)
    database = as_owner(settings, HEARINGS_DB)
    django.setup()
    as_served(settings)
    from django.core.management import call_command

    progress(f"Migrating {HEARINGS_DB}")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    from cases.models import Case

    if not Case.objects.filter(number=CASE_NUMBER).exists():
        import io

        from areas.models import Municipality

        if not Municipality.objects.filter(code="1804").exists():
            progress("Loading the demo municipality")
            call_command("load_demo", "--without-activity", stdout=io.StringIO())
        fill()
    return {"database": database["NAME"]}


def fill() -> None:
    """One case with a hearing, 10,000 answers, their case links and 20 themes."""
    import datetime

    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Role, RoleGrant, User
    from areas.models import Municipality
    from cases.models import Case
    from councils.models import Council
    from hearings.models import Hearing, HearingTheme

    progress(f"Adding a hearing with {ANSWERS:,} answers and {THEMES} themes")
    municipality = Municipality.objects.get(code="1804")
    planner, _ = User.objects.get_or_create(username="bench-planner", email="bench@example.no")
    RoleGrant.objects.get_or_create(user=planner, role=Role.PLANNER, municipality=municipality)
    council = Council.objects.filter(municipality=municipality).first()
    today = timezone.localdate()
    with transaction.atomic():
        case = Case.objects.create(
            municipality=municipality,
            number=CASE_NUMBER,
            title="Benchmark: trafikksikkerhetsplan",
            body="kommunestyre",
        )
        hearing = Hearing.objects.create(
            case=case,
            title="Høring: trafikksikkerhetsplan (benchmark)",
            decision="Kommunestyret vedtar planen i mars.",
            opens_on=today - datetime.timedelta(days=30),
            closes_on=today + datetime.timedelta(days=10),
            created_by=planner,
        )
        params = {
            "municipality": municipality.pk,
            "hearing": hearing.pk,
            "council": council.pk if council else None,
            "n": ANSWERS,
            "number": CASE_NUMBER,
            "per": ANSWERS // THEMES,
        }
        HearingTheme.objects.bulk_create(
            HearingTheme(
                hearing=hearing,
                title=f"Tema {n + 1}",
                text=f"Oppsummering av tema {n + 1}: hva svarene sier om skoleveien.",
                position=n,
                updated_by=planner,
            )
            for n in range(THEMES)
        )
        with connection.cursor() as cursor:
            cursor.execute(ANSWERS_SQL, params)
            cursor.execute(LINKS_SQL, params)
            cursor.execute(THEME_ANSWERS_SQL, params)
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE hearings_hearinganswer, hearings_hearingtheme_answers, "
            "hearings_hearinganswercaselink"
        )


def references(html: str) -> list[str]:
    return re.findall(r"HB-2026-\d{6}", html)


def measure(runs: int, problems: list[str]) -> dict:
    from django.db import connection
    from django.test import Client

    from hearings.models import Hearing

    hearing = Hearing.objects.get(case__number=CASE_NUMBER)
    params = {"hearing": hearing.pk, "limit": 25, "offset": 0}
    client = Client()
    with connection.cursor() as cursor:
        cursor.execute(RAW_COUNT_SQL, params)
        (public,) = cursor.fetchone()
    last_page = (public + 24) // 25
    urls = {
        "list": f"/hearings/{hearing.pk}/answers/",
        "list_last": f"/hearings/{hearing.pk}/answers/?page={last_page}",
        "summary": f"/hearings/{hearing.pk}/summary/",
    }
    for url in urls.values():  # warm-up
        client.get(url)
    timings: dict[str, list[float]] = {
        key: [] for key in [*urls, "raw_list", "raw_list_last", "raw_summary"]
    }
    clock = time.perf_counter
    bodies = {}
    for _ in range(runs):
        for key, url in urls.items():
            start = clock()
            response = client.get(url)
            timings[key].append(clock() - start)
            bodies[key] = response
        for key, offset in (("raw_list", 0), ("raw_list_last", (last_page - 1) * 25)):
            with connection.cursor() as cursor:
                start = clock()
                cursor.execute(RAW_LIST_SQL, {**params, "offset": offset})
                rows = cursor.fetchall()
                cursor.execute(RAW_COUNT_SQL, params)
                cursor.fetchone()
                timings[key].append(clock() - start)
            if key == "raw_list":
                first_rows = rows
        with connection.cursor() as cursor:
            start = clock()
            cursor.execute(RAW_COUNTS_SQL, params)
            counts = cursor.fetchone()
            cursor.execute(RAW_THEMES_SQL, params)
            themes = cursor.fetchall()
            timings["raw_summary"].append(clock() - start)
    for key, response in bodies.items():
        if response.status_code != 200:
            problems.append(f"{urls[key]}: {response.status_code}")
    listed = references(bodies["list"].content.decode())
    if listed != [row[0] for row in first_rows]:
        problems.append("the first page of answers differs from the raw SQL's rows")
    page = bodies["summary"].content.decode()
    covered = sum(len([r for r in theme[3] if r]) for theme in themes)
    if len(references(page)) != covered:
        problems.append(
            f"the summary shows {len(references(page))} references, the raw SQL {covered}"
        )
    if f"<dd>{counts[0]}</dd>" not in page or f"<dd>{counts[1]}</dd>" not in page:
        problems.append("the summary's counts differ from the raw SQL's")
    return {
        "answers": counts[0],
        "public": public,
        "late": counts[1],
        "themes": len(themes),
        "covered": covered,
        **{f"{key}_ms": summary(values, 1000) for key, values in timings.items()},
    }


def format_report(results: dict) -> str:
    r = results["result"]
    lines = [
        f"A hearing with {r['answers']:,} answers ({r['public']:,} public, {r['late']:,} late), "
        f"{r['themes']} themes covering {r['covered']:,} (database "
        f"{results['facts']['database']}; load average {results['load_average'][0]:.1f} before)"
        "; ms",
        f"  {'':<34} {'p50':>7} {'p95':>7}",
    ]
    for key, label in [
        ("list", "answers page (first), GET"),
        ("raw_list", "  raw SQL: its rows and count"),
        ("list_last", "answers page (last), GET"),
        ("raw_list_last", "  raw SQL: its rows and count"),
        ("summary", "summary page, GET"),
        ("raw_summary", "  raw SQL: counts, themes, answers"),
    ]:
        t = r[f"{key}_ms"]
        lines.append(f"  {label:<34} {t['p50']:>7.1f} {t['p95']:>7.1f}")
    met = r["list_ms"]["p95"] < GOAL_P95_MS and r["summary_ms"]["p95"] < GOAL_P95_MS
    lines.append(f"goal: list and summary p95 < {GOAL_P95_MS:.0f} ms: {verdict(met)}")
    lines += ["", "problems:" if results["problems"] else "problems: none"]
    lines += [f"  - {p}" for p in results["problems"]]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reuse", action="store_true", help=f"reuse {HEARINGS_DB}")
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
    print(f"\n{results['seconds']:.0f} s; results written to {output}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
