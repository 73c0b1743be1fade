"""Benchmark telling 10,000 followers of an area about a new hearing: one e-mail each.

Run with ``.venv/bin/python -m tests.bench.follows [--reuse] [--followers 10000]`` (``make
bench`` runs it after the hearings). It works in a database of its own,
``nabolaget_bench_follows`` (the demo municipality, without its activity), made afresh
unless ``--reuse`` finds the followers there. ``--followers`` accounts follow one school
district (skolekrets) for new hearings, at once; beside them, accounts that must get
nothing from this run: 500 following the same district daily (their digest comes later),
500 following it for meetings only, 500 following another district.

Each run, a planner opens a hearing on a case in that district through the real service
(``hearings.services.hearing_open``: the announcement and its job, deferred in the same
transaction), and the real worker (procrastinate, the ``email`` queue) runs the job
(``follows.tasks.deliver_announcements``) with Django's locmem e-mail backend. Measured:
the time from the worker's start to its end (what a follower waits), and per batch of
recipients (``follows.querysets.due_for_announcement``, 500 accounts: the job's own unit,
timed by wrapping that function where the job looks it up; the real one runs) its time
and its SQL queries. Checked: exactly one e-mail to each follower, none to the others,
each with its one-click unsubscribe headers, the job succeeded, and running its work again
(a retried job after a crash) sends nothing. Results go to ``bench-results/follows.json``;
the exit status is 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence

from tests.bench.run import (
    BASE_DIR,
    as_owner,
    as_served,
    create_database,
    libpq_params,
    progress,
    summary,
)

FOLLOWS_DB = "nabolaget_bench_follows"
OUTPUT = BASE_DIR / "bench-results" / "follows.json"
FOLLOWERS = 10_000
OTHERS = 500  # of each kind that must get nothing
CASE_NUMBER = "2026/77777"
EMAIL_DOMAIN = "follows.bench.example"


def database_exists(database: dict, name: str) -> bool:
    import psycopg

    with psycopg.connect(**libpq_params(database, "postgres"), autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def setup(reuse: bool, followers: int) -> dict:
    """The bench database (made afresh unless reused), with the followers and the case."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nabolaget.settings")
    import django
    from django.conf import settings

    if settings.DATABASES["default"].get("NAME") == FOLLOWS_DB:
        raise SystemExit(f"The settings' own database is {FOLLOWS_DB}; the bench would drop it.")
    if not (reuse and database_exists(settings.DATABASES["owner"], FOLLOWS_DB)):
        create_database(settings.DATABASES["owner"], FOLLOWS_DB)
    database = as_owner(settings, FOLLOWS_DB)
    django.setup()
    as_served(settings)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NABOLAGET_SITE_URL = "https://nabolaget.example.no"
    from django.core.management import call_command

    progress(f"Migrating {FOLLOWS_DB}")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    from cases.models import Case
    from follows.models import Follow

    case = Case.objects.filter(number=CASE_NUMBER).first()
    if case is None or Follow.objects.filter(area__in=case.areas.all()).count() < followers:
        import io

        from areas.models import Municipality

        if not Municipality.objects.filter(code="1804").exists():
            progress("Loading the demo municipality")
            call_command("load_demo", "--without-activity", stdout=io.StringIO())
        fill(followers)
    return {"database": database["NAME"]}


def fill(followers: int) -> None:
    """The planner, the case (one school district), its followers and the others."""
    import datetime
    import json as jsonlib

    from django.contrib.gis.geos import GEOSGeometry
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Role, RoleGrant, User
    from areas.models import Area, AreaType, Municipality
    from cases import services as cases
    from follows.models import Follow, Frequency, Topic
    from tests.cases.factories import CENTRE_POLYGON

    progress(f"Adding {followers:,} followers of an area and {3 * OTHERS:,} others")
    municipality = Municipality.objects.get(code="1804")
    with transaction.atomic():
        planner, _ = User.objects.get_or_create(
            username="bench-planner", defaults={"email": "planner@" + EMAIL_DOMAIN}
        )
        RoleGrant.objects.get_or_create(user=planner, role=Role.PLANNER, municipality=municipality)
        case = _bench_case(
            cases,
            planner=planner,
            municipality=municipality,
            geometry=GEOSGeometry(jsonlib.dumps(CENTRE_POLYGON), srid=4326),
            area_types=list(AreaType.objects.filter(slug="skolekrets")),
            meeting_date=timezone.localdate() + datetime.timedelta(days=40),
        )
        followed = case.areas.order_by("pk").first()
        other_area = (
            Area.objects.in_force()
            .filter(municipality=municipality, type__slug="skolekrets")
            .exclude(pk__in=case.areas.values("pk"))
            .order_by("pk")
            .first()
        )
        start = User.objects.filter(username__startswith="bench-follower-").count()
        kinds = (
            [("follower", Frequency.IMMEDIATE, [Topic.HEARING], followed)] * followers
            + [("daily", Frequency.DAILY, [Topic.HEARING], followed)] * OTHERS
            + [("meetings", Frequency.IMMEDIATE, [Topic.MEETING], followed)] * OTHERS
            + [("elsewhere", Frequency.IMMEDIATE, [Topic.HEARING], other_area)] * OTHERS
        )[start:]
        languages = ["nb", "nn", "en"]
        users = User.objects.bulk_create(
            User(
                username=f"bench-follower-{n}",
                email=f"{kind}-{n}@{EMAIL_DOMAIN}",
                language=languages[n % 3],
                password="!",
            )
            for n, (kind, *_rest) in enumerate(kinds, start=start)
        )
        Follow.objects.bulk_create(
            Follow(
                user=user,
                municipality=municipality,
                area=area,
                topics=topics,
                frequency=frequency,
            )
            for user, (_kind, frequency, topics, area) in zip(users, kinds, strict=True)
        )


def _bench_case(cases, *, planner, municipality, **fields):
    """The bench's case, made the planner's way (its affected areas computed) once."""
    from cases.models import Case

    return Case.objects.filter(number=CASE_NUMBER).first() or cases.case_create(
        actor=planner,
        municipality=municipality,
        number=CASE_NUMBER,
        title="Benchmark: ny gang- og sykkelvei",
        body="kommunestyre",
        **fields,
    )


class BatchClock:
    """Wraps the job's batch query (``follows.tasks.due_for_announcement``): each call
    starts a batch, so the time and the SQL queries between two calls are one batch's."""

    def __init__(self, real):
        self.real = real
        self.times: list[float] = []
        self.queries: list[int] = []
        self.sizes: list[int] = []
        self._started: float | None = None
        self._count = 0
        self._wrapped: set[int] = set()

    def _counter(self, execute, sql, params, many, context):
        self._count += 1
        return execute(sql, params, many, context)

    def __call__(self, *args, **kwargs):
        from django.db import connections

        connection = connections["default"]  # the job's thread's own connection
        if id(connection) not in self._wrapped:
            connection.execute_wrappers.append(self._counter)
            self._wrapped.add(id(connection))
        now = time.perf_counter()
        if self._started is not None:
            self.times.append(now - self._started)
            self.queries.append(self._count)
        self._count = 0
        self._started = now
        batch = self.real(*args, **kwargs)
        if batch:
            self.sizes.append(len(batch))
        else:
            self._started = None  # the empty fetch ends the last batch
        return batch


def run_worker() -> None:
    """Run the real worker until the queue is empty (as ``tests.conftest.run_jobs``)."""
    from procrastinate.contrib.django import app

    errors: list[Exception] = []

    def work():
        try:
            with app.replace_connector(app.connector.get_worker_connector()) as worker_app:
                worker_app.run_worker(
                    wait=False, install_signal_handlers=False, listen_notify=False
                )
        except Exception as exc:  # noqa: BLE001 - reported by the caller
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=600)
    if errors:
        raise errors[0]


def measure(problems: list[str]) -> dict:
    import datetime

    from django.core import mail
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Notification, User
    from cases.models import Case
    from follows import tasks as follow_tasks
    from follows.models import Announcement, Follow, Frequency, Topic
    from hearings import services

    case = Case.objects.get(number=CASE_NUMBER)
    followed = case.areas.order_by("pk").first()
    expected = set(
        Follow.objects.filter(
            area=followed, frequency=Frequency.IMMEDIATE, topics__contains=[Topic.HEARING]
        ).values_list("user__email", flat=True)
    )
    planner = User.objects.get(username="bench-planner")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE follows_follow, accounts_user, accounts_notification")
    mail.outbox = []
    today = timezone.localdate()
    opened = time.perf_counter()
    hearing = services.hearing_open(
        actor=planner,
        case=case,
        title=f"Høring: ny gang- og sykkelvei ({timezone.now():%H:%M:%S})",
        decision="Kommunestyret vedtar planen i mars.",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=21),
    )
    open_seconds = time.perf_counter() - opened
    announcement = Announcement.objects.get(key=f"hearing:{hearing.pk}:opened")

    clock = BatchClock(follow_tasks.due_for_announcement)
    follow_tasks.due_for_announcement = clock
    progress(f"Delivering to {len(expected):,} followers through the worker")
    started = time.perf_counter()
    try:
        run_worker()
    finally:
        follow_tasks.due_for_announcement = clock.real
    deliver_seconds = time.perf_counter() - started

    ours = [m for m in mail.outbox if hearing.title in m.body or hearing.title in m.subject]
    per_address = Counter(address for message in ours for address in message.to)
    twice = [address for address, n in per_address.items() if n > 1]
    missing = expected - set(per_address)
    unexpected = set(per_address) - expected
    if twice:
        problems.append(f"{len(twice):,} followers got more than one e-mail, e.g. {twice[0]}")
    if missing:
        problems.append(f"{len(missing):,} followers got no e-mail, e.g. {min(missing)}")
    if unexpected:
        problems.append(f"{len(unexpected):,} accounts not following it got one")
    if len(ours) != len(mail.outbox):
        problems.append(f"{len(mail.outbox) - len(ours)} other e-mails were sent")
    without_headers = [
        m
        for m in ours
        if "List-Unsubscribe" not in m.extra_headers
        or m.extra_headers.get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click"
    ]
    if without_headers:
        problems.append(f"{len(without_headers):,} e-mails without one-click unsubscribe")
    key = follow_tasks.immediate_key([announcement.pk])
    recorded = Notification.objects.filter(key=key).count()
    if recorded != len(expected):
        problems.append(f"{recorded:,} e-mails recorded as sent, not {len(expected):,}")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, count(*) FROM procrastinate_jobs"
            " WHERE task_name = %s AND args->'announcement_ids' = %s::jsonb GROUP BY status",
            [
                "follows.tasks.deliver_announcements",
                json.dumps([announcement.pk]),
            ],
        )
        jobs = dict(cursor.fetchall())
    if jobs != {"succeeded": 1}:
        problems.append(f"the delivery job's state: {jobs or 'not found'}")
    retried = follow_tasks.send_announcements([announcement.pk])
    if retried:
        problems.append(f"running the job's work again sent {retried:,} e-mails")
    if not clock.times:
        problems.append("the job read no batch of recipients")
    return {
        "followers": len(expected),
        "emails": len(ours),
        "hearing": hearing.pk,
        "open_hearing_ms": open_seconds * 1000,
        "deliver_seconds": deliver_seconds,
        "emails_per_second": len(ours) / deliver_seconds if deliver_seconds else 0,
        "batches": len(clock.times),
        "batch_size": max(clock.sizes, default=0),
        "batch_ms": summary(clock.times or [0.0], 1000),
        "queries_per_batch": summary(clock.queries or [0]),
        "queries_per_email": sum(clock.queries) / len(ours) if ours else None,
        "retry_sent": retried,
        "jobs": jobs,
    }


def format_report(results: dict) -> str:
    r = results["result"]
    b, q = r["batch_ms"], r["queries_per_batch"]
    lines = [
        f"A new hearing announced to {r['followers']:,} followers of an area (database "
        f"{results['facts']['database']}; load average {results['load_average'][0]:.1f} before)",
        f"  opening the hearing (the service, with its announcement): {r['open_hearing_ms']:.0f} ms",
        f"  delivery through the worker: {r['deliver_seconds']:.1f} s, {r['emails']:,} e-mails "
        f"({r['emails_per_second']:.0f} a second)",
        f"  {r['batches']} batches of up to {r['batch_size']} recipients: p50 {b['p50']:.0f} ms, "
        f"p95 {b['p95']:.0f} ms; SQL queries per batch p50 {q['p50']:.0f}, p95 {q['p95']:.0f} "
        f"({r['queries_per_email'] or 0:.1f} per e-mail: the sent-record each, in its own "
        "transaction)",
        f"  the job's work run again (a retry after a crash): {r['retry_sent']} e-mails",
        "check: exactly one e-mail to each follower, none to the others: "
        + ("ok" if not results["problems"] else "FAILED"),
        "",
        "problems:" if results["problems"] else "problems: none",
    ]
    lines += [f"  - {p}" for p in results["problems"]]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reuse", action="store_true", help=f"reuse {FOLLOWS_DB}")
    parser.add_argument(
        "--followers", type=int, default=FOLLOWERS, help=f"followers ({FOLLOWERS:,})"
    )
    parser.add_argument("--output", default=str(OUTPUT), help=f"JSON file ({OUTPUT})")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    from pathlib import Path

    args = parse_args(argv)
    started = time.perf_counter()
    facts = setup(args.reuse, args.followers)
    problems: list[str] = []
    load = os.getloadavg()
    results = {
        "facts": facts,
        "load_average": load,
        "result": measure(problems),
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
