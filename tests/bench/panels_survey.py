"""Benchmark a panel's follow-up survey with 500 members and 20 questions: its results
(overall and by stratum, suppressed) and the panel's section of the case's digest.

Run with ``.venv/bin/python -m tests.bench.panels_survey [--reuse] [--runs 20]`` (``make
bench`` runs it after the hearings). It works in a database of its own,
``nabolaget_bench_panels_survey`` (the demo municipality, without its activity), made afresh
unless ``--reuse`` finds the panel there. The panel has 500 selected members spread over 4
age groups, 2 genders and 12 areas; its survey has 5 questions of each kind (single choice,
multiple choice, a 1–5 scale, free text), answered by every member (10,000 answers).

Each run, in one process and alternating:
  results page: GET /panels/{id}/survey/results/ through Django's test Client (as served);
  digest section: ``panels.registration.panel_sections(case)`` (the results and sessions);
  raw SQL: the overall counts per question and option in one statement.
The results are checked against the raw SQL (every option's count). Goal: p95 under 300 ms
for the page and the section. Results go to ``bench-results/panels_survey.json``; the exit
status is 1 when a check fails, not when the goal is missed.
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
    progress,
    summary,
    verdict,
)

BENCH_DB = "nabolaget_bench_panels_survey"
OUTPUT = BASE_DIR / "bench-results" / "panels_survey.json"
MEMBERS = 500
PER_KIND = 5
GOAL_P95_MS = 300.0
RUNS = 20
CASE_NUMBER = "2026/77777"

RAW_COUNTS_SQL = """
SELECT a.question_id, c.choice, count(*)
  FROM panels_surveyanswer a
  JOIN panels_surveyresponse r ON r.id = a.response_id
  CROSS JOIN LATERAL unnest(
       CASE WHEN a.value IS NULL THEN a.choices ELSE ARRAY[a.value] END) AS c(choice)
 WHERE r.survey_id = %(survey)s
 GROUP BY a.question_id, c.choice
"""


def database_exists(database: dict, name: str) -> bool:
    import psycopg

    from tests.bench.run import libpq_params

    with psycopg.connect(**libpq_params(database, "postgres"), autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def setup(reuse: bool) -> dict:
    """The bench database (made afresh unless reused), with the panel and its answers."""
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
    """A case with a panel of 500 members, a closed survey of 20 questions, all answered."""
    import random

    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Role, RoleGrant, User
    from areas.models import Area, Municipality
    from cases.models import Case
    from panels.models import (
        Panel,
        PanelStatus,
        Question,
        Survey,
        SurveyAnswer,
        SurveyResponse,
        Volunteer,
    )

    progress(f"Adding a panel of {MEMBERS} members and {PER_KIND * 4} questions, all answered")
    rng = random.Random(16)
    municipality = Municipality.objects.get(code="1804")
    planner, _ = User.objects.get_or_create(username="bench-planner", email="bench@example.no")
    RoleGrant.objects.get_or_create(user=planner, role=Role.PLANNER, municipality=municipality)
    areas = list(
        Area.objects.filter(municipality=municipality).exclude(type__slug="kommune")[:12]
    ) or [None]
    with transaction.atomic():
        case = Case.objects.create(
            municipality=municipality,
            number=CASE_NUMBER,
            title="Benchmark: sentrum",
            body="kommunestyre",
        )
        panel = Panel.objects.create(
            case=case,
            title="Borgerpanel (benchmark)",
            description="Hva skal sentrum bli?",
            target_size=MEMBERS,
            strata=["age_group", "gender", "area"],
            status=PanelStatus.SELECTED,
            created_by=planner,
        )
        members = Volunteer.objects.bulk_create(
            Volunteer(
                panel=panel,
                name=f"Medlem {i}",
                email=f"medlem{i}@example.no",
                birth_year=1950 + i % 55,
                strata={
                    "age_group": ["16-29", "30-49", "50-66", "67+"][i % 4],
                    "gender": "fm"[i % 2],
                    "area": str(areas[i % len(areas)].pk) if areas[0] else "",
                },
                status="selected",
            )
            for i in range(MEMBERS)
        )
        survey = Survey.objects.create(panel=panel, opened_at=timezone.now())
        questions = []
        for position in range(PER_KIND * 4):
            kind = ["single", "multiple", "scale", "text"][position % 4]
            questions.append(
                Question.objects.create(
                    survey=survey,
                    kind=kind,
                    text=f"Spørsmål {position + 1}",
                    options=["Ja", "Nei", "Vet ikke", "Kanskje"]
                    if kind in ("single", "multiple")
                    else [],
                    position=position,
                )
            )
        responses = SurveyResponse.objects.bulk_create(
            SurveyResponse(survey=survey, volunteer=m, strata=m.strata) for m in members
        )
        answers = []
        for response in responses:
            for q in questions:
                if q.kind == "single":
                    answers.append(
                        SurveyAnswer(response=response, question=q, choices=[rng.randrange(4)])
                    )
                elif q.kind == "multiple":
                    answers.append(
                        SurveyAnswer(
                            response=response, question=q, choices=sorted(rng.sample(range(4), 2))
                        )
                    )
                elif q.kind == "scale":
                    answers.append(
                        SurveyAnswer(response=response, question=q, value=rng.randint(1, 5))
                    )
                else:
                    answers.append(
                        SurveyAnswer(
                            response=response,
                            question=q,
                            text=f"Tanke nummer {rng.randrange(10_000)}",
                        )
                    )
        SurveyAnswer.objects.bulk_create(answers, batch_size=2000)
        survey.closed_at = timezone.now()
        survey.save(update_fields=["closed_at"])
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE panels_surveyanswer, panels_surveyresponse, panels_volunteer"
        )


def measure(runs: int, problems: list[str]) -> dict:
    from django.db import connection
    from django.test import Client

    from panels.models import Panel
    from panels.registration import panel_sections

    panel = Panel.objects.select_related("case", "survey").get(case__number=CASE_NUMBER)
    survey = panel.survey
    client = Client()
    url = f"/panels/{panel.pk}/survey/results/"
    client.get(url)  # warm-up
    timings: dict[str, list[float]] = {"page": [], "section": [], "raw": []}
    clock = time.perf_counter
    for _ in range(runs):
        start = clock()
        response = client.get(url)
        timings["page"].append(clock() - start)
        start = clock()
        section = panel_sections(panel.case)
        timings["section"].append(clock() - start)
        with connection.cursor() as cursor:
            start = clock()
            cursor.execute(RAW_COUNTS_SQL, {"survey": survey.pk})
            rows = cursor.fetchall()
            timings["raw"].append(clock() - start)
    if response.status_code != 200:
        problems.append(f"{url}: {response.status_code}")
    raw = {(question, choice): count for question, choice, count in rows}
    results = section["panels"][0]["survey"]
    for q in results["questions"]:
        if q["kind"] == "text":
            continue
        for index, option in enumerate(q["options"]):
            key = (q["id"], int(option["label"]) if q["kind"] == "scale" else index)
            if raw.get(key, 0) != option["count"]:
                problems.append(
                    f"question {q['id']} option {option['label']}: differs from raw SQL"
                )
    return {
        "members": results["members"],
        "respondents": results["respondents"],
        "questions": len(results["questions"]),
        **{f"{key}_ms": summary(values, 1000) for key, values in timings.items()},
    }


def format_report(results: dict) -> str:
    r = results["result"]
    lines = [
        f"A panel survey: {r['members']} members, {r['respondents']} answered, "
        f"{r['questions']} questions (database {results['facts']['database']}; load average "
        f"{results['load_average'][0]:.1f} before); ms",
        f"  {'':<40} {'p50':>7} {'p95':>7}",
    ]
    for key, label in [
        ("page", "results page, GET"),
        ("section", "the case digest's panel section"),
        ("raw", "  raw SQL: counts per question and option"),
    ]:
        t = r[f"{key}_ms"]
        lines.append(f"  {label:<40} {t['p50']:>7.1f} {t['p95']:>7.1f}")
    met = r["page_ms"]["p95"] < GOAL_P95_MS and r["section_ms"]["p95"] < GOAL_P95_MS
    lines.append(
        f"goal: results page and digest section p95 < {GOAL_P95_MS:.0f} ms: {verdict(met)}"
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
    print(f"\n{results['seconds']:.0f} s; results written to {output}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
