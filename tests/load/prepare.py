"""The database ``make load`` runs against: ``nabolaget_load``, kept between runs.

It is created and migrated when missing, given the demo municipality, and filled to
1,000,000 priorities in Bodø by the benchmark's set-based loader
(``tests.bench.priorities.load``); a database that is already loaded is reused, so a
second ``make load`` starts in seconds. Then it makes sure the accounts the simulated
users act as exist (residents and planners, each with an API token) and writes what
the load generator needs (tokens, priority ids, places, areas) to a JSON file.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

from tests.bench.run import as_owner, libpq_params, progress

LOAD_DB = "nabolaget_load"
RESIDENT_PREFIX = "load-resident-"
PLANNER_PREFIX = "load-planner-"
MUNICIPALITY = "1804"
SAMPLE_PLACES = 2000


def ensure_database(database: dict, name: str) -> None:
    """Create the load database unless it exists (it is never dropped: the load is reused)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(**libpq_params(database, "postgres"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            progress(f"Creating database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django() -> dict:
    """Point Django at the load database, create it if needed, then set Django up."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nabolaget.settings")
    import django
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database.get("NAME") != LOAD_DB:
        ensure_database(settings.DATABASES["owner"], LOAD_DB)
        database = as_owner(settings, LOAD_DB)
    django.setup()
    settings.DEBUG = False
    return database


def load_priorities(rows: int) -> int:
    """Fill Bodø up to ``rows`` priorities with the benchmark's loader; the count after."""
    import io

    from django.core.management import call_command

    from areas.models import Municipality
    from priorities.models import Priority
    from tests.bench import priorities as bench

    progress(f"Migrating {LOAD_DB}")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    if not Municipality.objects.filter(code=MUNICIPALITY).exists():
        progress("Loading the demo municipality")
        call_command("load_demo", "--without-activity", stdout=io.StringIO())
    have = Priority.all_objects.count()
    if have < rows:
        problems: list[str] = []
        bench.load(rows - have, problems)
        for problem in problems:
            progress(f"load: {problem}")
        have = Priority.all_objects.count()
    else:
        progress(f"{LOAD_DB} already holds {have:,} priorities: reused")
    return have


def ensure_accounts(prefix: str, count: int, role: str | None = None) -> list[str]:
    """``count`` accounts named prefix0001…, each with an API token; their tokens."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from accounts.models import RoleGrant
    from areas.models import Municipality

    users = get_user_model()
    names = [f"{prefix}{n:04d}" for n in range(1, count + 1)]
    existing = set(users.objects.filter(username__in=names).values_list("username", flat=True))
    missing = [
        users(username=name, email=f"{name}@load.invalid", password="!")  # unusable password
        for name in names
        if name not in existing
    ]
    users.objects.bulk_create(missing, batch_size=1000)
    accounts = list(users.objects.filter(username__in=names).order_by("username"))
    have_token = set(Token.objects.filter(user__in=accounts).values_list("user_id", flat=True))
    Token.objects.bulk_create(
        [Token(user=u, key=Token.generate_key()) for u in accounts if u.pk not in have_token]
    )
    if role:
        municipality = Municipality.objects.get(code=MUNICIPALITY)
        RoleGrant.objects.bulk_create(
            [RoleGrant(user=u, role=role, municipality=municipality) for u in accounts],
            ignore_conflicts=True,
        )
    tokens = dict(Token.objects.filter(user__in=accounts).values_list("user__username", "key"))
    return [tokens[name] for name in names]


def plan(residents: int, planners: int) -> dict:
    """What the simulated users need: tokens, priority ids, places, areas, categories."""
    from django.core.cache import cache
    from django.db import connection

    from accounts.models import Role
    from areas.models import Area
    from priorities.models import Category

    rng = random.Random(1804)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(id), max(id) FROM priorities_priority WHERE visibility = 'public'"
        )
        first, last = cursor.fetchone()
        ids = rng.sample(range(first, last + 1), SAMPLE_PLACES)
        cursor.execute(
            "SELECT ST_X(ST_Transform(point, 4326)), ST_Y(ST_Transform(point, 4326)) "
            "FROM priorities_priority WHERE id = ANY(%s)",
            [ids],
        )
        places = [(round(x, 6), round(y, 6)) for x, y in cursor.fetchall()]
    areas = list(
        Area.objects.current()
        .filter(municipality__code=MUNICIPALITY)
        .exclude(type__slug="kommune")
        .values("id", "type__slug")
    )
    # The rate-limit counters of earlier runs (this database's cache table only).
    cache.clear()
    return {
        "municipality": MUNICIPALITY,
        "residents": ensure_accounts(RESIDENT_PREFIX, residents),
        "planners": ensure_accounts(PLANNER_PREFIX, planners, role=Role.PLANNER),
        "priority_ids": [first, last],
        "places": places,
        "areas": [{"id": a["id"], "type": a["type__slug"]} for a in areas],
        "area_types": sorted({a["type__slug"] for a in areas}),
        "categories": list(
            Category.objects.filter(municipality__isnull=True).values_list("slug", flat=True)
        ),
    }


def prepare(rows: int, residents: int, planners: int, output: Path) -> dict:
    """Make the load database ready and write the plan for the load generator."""
    database = setup_django()
    count = load_priorities(rows)
    data = plan(residents, planners)
    data["priorities_total"] = count
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(data), encoding="utf-8")
    return database
