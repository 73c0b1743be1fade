"""Benchmark residents' priorities at scale: a bulk load, map requests, creating one.

Called from ``tests.bench.run`` after the area benchmarks, in the same ``nabolaget_bench``
database (``--skip-priorities`` leaves it out, ``--priorities N`` sets the row count,
``--skip-areas`` runs this part alone).

Load: N priorities (1,000,000 by default) in the demo municipality Bodø (1804), by
set-based SQL: points from ST_GeneratePoints over Bodø's kommune polygon in chunks
(fixed seeds), put in random order (``setseed``), so the table is not stored in
spatial order; created over the last two years (ids in time order, as in real use),
a random default category, mostly 'received' (older ones more often answered), all
public, a small random support count, receipt numbers NB-<year>-<n> that continue
the receipt counter. The table's own triggers (history, map rollup) are off during
the load, as for any bulk load: the map rollup is rebuilt afterwards with the app's
``priority_map_cells_rebuild``, and no history rows are written for the synthetic
past. The areas (M2M) are filled in SQL by Area.objects.covering's rule (subdivided
pieces, one area per type, lowest code then id wins; areas of the priority's
municipality only, as ``priority_create`` keeps). Then VACUUM ANALYZE. The load time
is reported, not judged.

Map: GET /api/v1/priorities/map/?municipality=1804&bbox=…&zoom=Z through Django's test
Client (in-process), for viewports the size a 1280×800 px map shows at zoom Z,
centred on random loaded priorities (fixed seed). Each request is also run as SQL:
(b) the queries the ORM sent for it (captured in an untimed pass, replayed) and
(c) hand-written SQL doing the same work: the rollup cells for clusters from the
rollup, the first 1001 points by support for points, the points grouped by grid cell
(floor(x / cell), floor(y / cell), the rollup's cells) for clusters from the points.
(d) Clustering straight from the points is timed at every zoom on the first viewports,
for reference.
Goal: API p95 under 200 ms at every zoom.

Create: ``priority_create`` (area lookup, receipt number, insert, areas, job, one
transaction) at random points in Bodø by a bench account, beside hand-written SQL
in one transaction: the covering lookup, the receipt counter, the INSERT and the
M2M rows (no job, no validation). Goal: p95 under 300 ms.
"""

from __future__ import annotations

import gc
import math
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence

from tests.bench.run import percentile, progress, summary, verdict

MUNICIPALITY = "1804"
DEFAULT_ROWS = 1_000_000
SEED = 1804
POINT_CHUNK = 100_000
ZOOMS = (8, 10, 12, 14, 15, 16, 17)  # 15: where the map turns from clusters to points
VIEWPORT_PX = (1280, 800)
VIEWPORTS = 50
WARMUP_VIEWPORTS = 5
DIRECT_VIEWPORTS = 10
CREATES = 200
LOCATE_CHECKS = 200
WARMUP_CREATES = 10
MAP_GOAL_P95_MS = 200.0
CREATE_GOAL_P95_MS = 300.0
BENCH_USERNAME = "bench-resident"
PREFIX = "NB"
EARTH_RADIUS = 6_378_137.0  # Web Mercator sphere, metres
MAP_URL = "/api/v1/priorities/map/?municipality={code}&bbox={bbox}&zoom={zoom}"

TITLES = [
    "Farlig kryss ved skolen",
    "Gatelys mangler",
    "Leskur på holdeplassen",
    "Ny lekeplass",
    "Møteplass for ungdom",
    "Trygg skolevei",
    "Lysløypa trenger lys",
    "Søppel ved stranda",
    "Fortau langs veien",
    "Benker på turveien",
]
SENTENCES = [
    "Mange barn går her om morgenen, og bilene holder høy fart. ",
    "Det er mørkt og glatt om vinteren, og mange går her til og fra jobb. ",
    "Nabolaget har ønsket dette i flere år, og det ville betydd mye for de som bor her. ",
    "Området brukes av både eldre og barnefamilier, men tilbudet er slitt. ",
]

# --- SQL: the load ----------------------------------------------------------------------

POINTS_SQL = """
CREATE TEMP TABLE bench_points AS
SELECT (ST_Dump(ST_GeneratePoints(
           a.geom, LEAST(%(chunk)s, %(rows)s - i * %(chunk)s)::int, %(seed)s + i))).geom AS point
  FROM areas_area a CROSS JOIN generate_series(0, %(chunks)s - 1) AS i
 WHERE a.id = %(boundary)s
"""
# Random order: ids (time order) are then unrelated to place, as in real use.
SHUFFLE_SQL = """
CREATE TEMP TABLE bench_rows AS
SELECT n, point
  FROM (SELECT row_number() OVER (ORDER BY random()) AS n, point FROM bench_points) r
 WHERE n <= %(rows)s  -- ST_GeneratePoints can give one point more than asked
"""
INSERT_SQL = """
WITH base AS (
    SELECT r.n, r.point,
           now() - (%(rows)s - r.n + random()) * %(spacing)s * interval '1 second' AS created_at,
           (%(rows)s - r.n)::float / %(rows)s AS age,
           random() AS u_answer, random() AS u_status, random() AS u_when, random() AS u_cat,
           random() AS u_support, random() AS u_title, random() AS u_text
      FROM bench_rows r
), dated AS (
    SELECT b.*, extract(year FROM b.created_at AT TIME ZONE %(tz)s)::int AS year,
           CASE WHEN b.u_answer >= 0.3 * b.age THEN 'received'
                WHEN b.u_status < 0.35 THEN 'under_consideration'
                WHEN b.u_status < 0.55 THEN 'in_case'
                WHEN b.u_status < 0.75 THEN 'decided'
                WHEN b.u_status < 0.90 THEN 'implemented'
                ELSE 'not_pursued' END AS status
      FROM base b
), numbered AS (
    SELECT d.*, COALESCE(rc.last, 0) + row_number() OVER (PARTITION BY d.year ORDER BY d.n) AS seq
      FROM dated d
      LEFT JOIN priorities_referencecounter rc ON rc.prefix = %(prefix)s AND rc.year = d.year
)
INSERT INTO priorities_priority
       (reference, municipality_id, author_id, created_at, status, status_changed_at,
        first_answered_at, point, category_id, title, text, support_count, visibility,
        hidden_reason)
SELECT %(prefix)s || '-' || x.year || '-' || lpad(x.seq::text, greatest(6, length(x.seq::text)), '0'),
       %(municipality)s, %(author)s, x.created_at, x.status,
       CASE WHEN x.status <> 'received'
            THEN x.created_at + (now() - x.created_at) * (0.1 + 0.6 * x.u_when) END,
       CASE WHEN x.status <> 'received'
            THEN x.created_at + (now() - x.created_at) * 0.1 * x.u_when END,
       x.point,
       (%(categories)s::bigint[])[1 + floor(x.u_cat * cardinality(%(categories)s::bigint[]))::int],
       (%(titles)s::text[])[1 + floor(x.u_title * cardinality(%(titles)s::text[]))::int],
       'Benchmark: ' || repeat((%(sentences)s::text[])[1 + (x.n %% cardinality(%(sentences)s::text[]))::int],
                               1 + floor(x.u_text * 4)::int),
       least(floor(-ln(1 - x.u_support) * 2)::int, 1000), 'public', ''
  FROM numbered x
 ORDER BY x.n
"""
# Area.objects.covering's rule on the subdivided pieces, as priority_create keeps it.
AREAS_SQL = """
INSERT INTO priorities_priority_areas (priority_id, area_id)
SELECT p.id, w.id
  FROM priorities_priority p
 CROSS JOIN LATERAL (
       SELECT DISTINCT ON (a.type_id) a.id, a.municipality_id
         FROM areas_areasubdivision s JOIN areas_area a ON a.id = s.area_id
        WHERE ST_Covers(s.geom, p.point)
          AND (a.valid_from IS NULL OR a.valid_from <= %(today)s)
          AND (a.valid_to IS NULL OR a.valid_to > %(today)s)
        ORDER BY a.type_id, a.code, a.id) w
 WHERE p.id BETWEEN %(first)s AND %(last)s AND w.municipality_id = p.municipality_id
"""
COUNTER_SQL = """
INSERT INTO priorities_referencecounter (prefix, year, last)
SELECT %(prefix)s, split_part(reference, '-', 2)::int, max(split_part(reference, '-', 3)::int)
  FROM priorities_priority WHERE reference LIKE %(prefix)s || '-%%' GROUP BY 2
ON CONFLICT (prefix, year) DO UPDATE
   SET last = greatest(priorities_referencecounter.last, EXCLUDED.last)
"""
USER_TRIGGERS_SQL = """
SELECT tgname FROM pg_trigger
 WHERE tgrelid = 'priorities_priority'::regclass AND NOT tgisinternal ORDER BY tgname
"""

# --- SQL: the map, by hand --------------------------------------------------------------

# The bbox is exact in lon/lat (as PriorityQuerySet.in_bbox): the spatial index narrows by
# the box's extent in the storage SRID, its south and north edges sampled at %(steps)s steps
# plus a metre (as areas.geo.storage_extent), and the test is made in WGS 84.
REACH = """reach AS (
    SELECT ST_SetSRID(ST_Expand(ST_Extent(ST_Transform(ST_SetSRID(ST_MakePoint(
               %(w)s + (%(e)s - %(w)s) * i / %(steps)s, y), 4326), 25833)), 1)::geometry,
               25833) AS g
      FROM generate_series(0, %(steps)s) AS i, unnest(ARRAY[%(s)s, %(n)s]::float8[]) AS y
)"""
IN_BOX = """p.point && reach.g
   AND ST_CoveredBy(ST_Transform(p.point, 4326),
                    ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 4326))"""
MAP_POINTS_SQL = f"""
WITH {REACH}
SELECT p.id, p.title, p.status, p.support_count, c.slug, c.colour,
       ST_X(ST_Transform(p.point, 4326)), ST_Y(ST_Transform(p.point, 4326))
  FROM priorities_priority p JOIN priorities_category c ON c.id = p.category_id, reach
 WHERE {IN_BOX}
   AND p.visibility = 'public' AND p.municipality_id = %(m)s
 ORDER BY p.support_count DESC, p.id DESC
 LIMIT %(limit)s
"""
# Whether a viewport holds more points than the map shows (read up to the limit, unsorted).
MAP_OVER_LIMIT_SQL = f"""
WITH {REACH}
SELECT 1 FROM priorities_priority p, reach
 WHERE {IN_BOX}
   AND p.visibility = 'public' AND p.municipality_id = %(m)s
OFFSET %(limit)s LIMIT 1
"""
# The map's grid: cell (cx, cy) holds floor(x / cell), floor(y / cell), as the rollup's cells
# (PriorityMapCell) and PriorityQuerySet.clusters have it. (ST_SnapToGrid rounds to the
# nearest multiple instead: a grid shifted by half a cell, which puts other points together
# and gave other feature counts at zoom 15, where the map clusters from the points.)
MAP_GRID_SQL = f"""
WITH {REACH}
SELECT g.count, ST_X(g.centre), ST_Y(g.centre)
  FROM (SELECT count(*) AS count, ST_Transform(ST_Centroid(ST_Collect(p.point)), 4326) AS centre
          FROM priorities_priority p, reach
         WHERE {IN_BOX}
           AND p.visibility = 'public' AND p.municipality_id = %(m)s
         GROUP BY floor(ST_X(p.point) / %(cell)s), floor(ST_Y(p.point) / %(cell)s)) g
"""
MAP_ROLLUP_SQL = f"""
WITH {REACH}
SELECT r.total, ST_X(r.centre), ST_Y(r.centre)
  FROM (SELECT sum(c.count) AS total,
               ST_Transform(ST_SetSRID(ST_MakePoint(sum(c.sum_x) / NULLIF(sum(c.count), 0),
                                                    sum(c.sum_y) / NULLIF(sum(c.count), 0)),
                                       25833), 4326) AS centre
          FROM priorities_prioritymapcell c, reach
         WHERE c.municipality_id = %(m)s AND c.level = %(level)s
           AND c.cx BETWEEN floor(ST_XMin(reach.g) / %(level)s)::int
                        AND floor(ST_XMax(reach.g) / %(level)s)::int
           AND c.cy BETWEEN floor(ST_YMin(reach.g) / %(level)s)::int
                        AND floor(ST_YMax(reach.g) / %(level)s)::int
         GROUP BY c.cx, c.cy
        HAVING sum(c.count) > 0) r
"""

# --- SQL: creating one, by hand ---------------------------------------------------------

POINT = "ST_Transform(ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326), 25833)"
CREATE_COVERING_SQL = f"""
SELECT DISTINCT ON (a.type_id) a.id, a.municipality_id, t.slug
  FROM areas_area a
  JOIN areas_areasubdivision s ON s.area_id = a.id
  JOIN areas_areatype t ON t.id = a.type_id
 WHERE ST_Covers(s.geom, {POINT})
   AND (a.valid_from IS NULL OR a.valid_from <= CURRENT_DATE)
   AND (a.valid_to IS NULL OR a.valid_to > CURRENT_DATE)
 ORDER BY a.type_id, a.code, a.id
"""
CREATE_COUNTER_SQL = """
INSERT INTO priorities_referencecounter (prefix, year, last) VALUES (%(prefix)s, %(year)s, 1)
ON CONFLICT (prefix, year) DO UPDATE SET last = priorities_referencecounter.last + 1
RETURNING last
"""
CREATE_INSERT_SQL = f"""
INSERT INTO priorities_priority
       (reference, municipality_id, author_id, created_at, status, point, category_id, title,
        text, support_count, visibility, hidden_reason)
VALUES (%(reference)s, %(municipality)s, %(author)s, now(), 'received', {POINT}, %(category)s,
        %(title)s, %(text)s, 0, 'public', '')
RETURNING id
"""
CREATE_AREAS_SQL = """
INSERT INTO priorities_priority_areas (priority_id, area_id)
SELECT %(priority)s, unnest(%(areas)s::bigint[])
"""


# --- helpers ----------------------------------------------------------------------------


def ms(values: Sequence[float]) -> dict:
    return summary(values, 1000)


def execute(sql: str, params: dict | None = None) -> float:
    """Run one statement on Django's connection; seconds taken."""
    from django.db import connection

    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return time.perf_counter() - start


def scalar(sql: str, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def table_size(table: str) -> int:
    return scalar("SELECT pg_total_relation_size(%s::regclass)", [table])


def bench_user():
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    return users.filter(username=BENCH_USERNAME).first() or users.create_user(
        username=BENCH_USERNAME, email=f"{BENCH_USERNAME}@example.invalid"
    )


# --- load -------------------------------------------------------------------------------


def load(rows: int, problems: list[str]) -> dict:
    """Load ``rows`` priorities into Bodø with set-based SQL; seconds per step."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from areas.models import Area, Municipality
    from priorities import services
    from priorities.models import Category, Priority

    municipality = Municipality.objects.get(code=MUNICIPALITY)
    boundary = Area.objects.current().get(type__slug="kommune", code=MUNICIPALITY)
    categories = list(
        Category.objects.filter(municipality__isnull=True)
        .order_by("position", "slug")
        .values_list("id", flat=True)
    )
    author = bench_user()
    with connection.cursor() as cursor:
        cursor.execute(USER_TRIGGERS_SQL)
        triggers = [name for (name,) in cursor.fetchall()]
    rebuild = getattr(services, "priority_map_cells_rebuild", None)
    try:
        from priorities import rollups
    except ImportError:  # an older checkout, measured for comparison
        rollups = None
    steps: dict[str, float] = {}
    progress(f"Priorities: loading {rows:,} into {municipality} (set-based SQL)")
    started = time.perf_counter()
    before = scalar("SELECT coalesce(max(id), 0) FROM priorities_priority")
    chunks = math.ceil(rows / POINT_CHUNK)
    steps["points"] = execute(
        "DROP TABLE IF EXISTS bench_points; " + POINTS_SQL,
        {
            "chunk": POINT_CHUNK,
            "rows": rows,
            "seed": SEED,
            "chunks": chunks,
            "boundary": boundary.pk,
        },
    )
    steps["shuffle"] = execute(
        "SELECT setseed(%(seed)s); DROP TABLE IF EXISTS bench_rows; " + SHUFFLE_SQL,
        {"seed": (SEED % 1000) / 1000, "rows": rows},
    )
    with transaction.atomic():
        # The table's triggers (history, map rollup) are off for the bulk load only; the
        # foreign keys are checked row by row (not queued to the commit, which would keep
        # ALTER TABLE from turning the triggers back on).
        execute("SET CONSTRAINTS ALL IMMEDIATE")
        execute("ALTER TABLE priorities_priority DISABLE TRIGGER USER")
        steps["insert"] = execute(
            "SELECT setseed(%(seed)s); " + INSERT_SQL,
            {
                "seed": ((SEED + 1) % 1000) / 1000,
                "rows": rows,
                "spacing": 2 * 365.25 * 86400 / rows,
                "tz": settings.TIME_ZONE,
                "prefix": PREFIX,
                "municipality": municipality.pk,
                "author": author.pk,
                "categories": categories,
                "titles": TITLES,
                "sentences": SENTENCES,
            },
        )
        execute("ALTER TABLE priorities_priority ENABLE TRIGGER USER")
        first, last = (
            scalar("SELECT min(id) FROM priorities_priority WHERE id > %s", [before]),
            scalar("SELECT max(id) FROM priorities_priority"),
        )
        steps["counter"] = execute(COUNTER_SQL, {"prefix": PREFIX})
    with transaction.atomic():
        # The links' rollup triggers are off too: the rollups are rebuilt once below. Their
        # foreign keys are checked at once as well (queued ones keep ALTER TABLE out).
        execute("SET CONSTRAINTS ALL IMMEDIATE")
        execute("ALTER TABLE priorities_priority_areas DISABLE TRIGGER USER")
        steps["areas"] = execute(
            AREAS_SQL, {"today": timezone.localdate(), "first": first, "last": last}
        )
        execute("ALTER TABLE priorities_priority_areas ENABLE TRIGGER USER")
    if rebuild is not None:
        start = time.perf_counter()
        rebuild()
        steps["map_rollup"] = time.perf_counter() - start
    area_rollup = getattr(rollups, "rebuild", None) if rollups else None
    if area_rollup is not None:
        start = time.perf_counter()
        area_rollup()
        steps["area_rollup"] = time.perf_counter() - start
    execute("DROP TABLE bench_points; DROP TABLE bench_rows")
    start = time.perf_counter()
    execute(
        "VACUUM ANALYZE priorities_priority, priorities_priority_areas, "
        "priorities_referencecounter"
        + (", priorities_prioritymapcell" if rebuild is not None else "")
        + (", priorities_priorityareastat, priorities_priorityanswerdays" if rollups else "")
    )
    steps["vacuum_analyze"] = time.perf_counter() - start
    seconds = time.perf_counter() - started

    loaded = scalar("SELECT count(*) FROM priorities_priority WHERE id > %s", [before])
    links = scalar(
        "SELECT count(*) FROM priorities_priority_areas WHERE priority_id BETWEEN %s AND %s",
        [first, last],
    )
    area_types = scalar(
        "SELECT count(DISTINCT type_id) FROM areas_area WHERE municipality_id = %s",
        [municipality.pk],
    )
    if loaded != rows:
        problems.append(f"priorities: the load wrote {loaded:,} rows, not {rows:,}")
    # The links follow the service's rule: input_locate at a sample of loaded priorities.
    sample = random.Random(SEED).sample(range(first, last + 1), min(LOCATE_CHECKS, loaded))
    differ = []
    for priority in Priority.all_objects.filter(pk__in=sample).prefetch_related("areas"):
        found, areas = services.input_locate(priority.point)
        if found.pk != priority.municipality_id or sorted(a.pk for a in areas) != sorted(
            a.pk for a in priority.areas.all()
        ):
            differ.append(priority.pk)
    if differ:
        problems.append(
            f"priorities: the loaded areas differ from input_locate's for {len(differ)} of "
            f"{len(sample)} priorities, e.g. ids {differ[:5]}"
        )
    short = scalar(
        "SELECT count(*) FROM (SELECT p.id FROM priorities_priority p "
        "LEFT JOIN priorities_priority_areas pa ON pa.priority_id = p.id "
        "WHERE p.id BETWEEN %s AND %s GROUP BY p.id HAVING count(pa.id) < %s) x",
        [first, last, area_types],
    )
    result = {
        "rows": loaded,
        "first_id": first,
        "last_id": last,
        "seconds": seconds,
        "steps_s": steps,
        "area_links": links,
        "area_types": area_types,
        "with_fewer_areas_than_types": short,
        "locate_checked": len(sample),
        "locate_mismatches": len(differ),
        "priorities_total": scalar("SELECT count(*) FROM priorities_priority"),
        "table_mb": table_size("priorities_priority") / 2**20,
        "areas_table_mb": table_size("priorities_priority_areas") / 2**20,
        "statuses": dict(
            scalar_rows(
                "SELECT status, count(*) FROM priorities_priority "
                "WHERE id BETWEEN %s AND %s GROUP BY 1",
                [first, last],
            )
        ),
        "bodo_km2": scalar(
            "SELECT ST_Area(geom) / 1e6 FROM areas_area WHERE id = %s", [boundary.pk]
        ),
        "triggers_off_during_load": triggers,
        "map_rollup_rebuilt": rebuild is not None,
    }
    if rebuild is not None:
        in_rollup = scalar(
            "SELECT coalesce(sum(count), 0) FROM priorities_prioritymapcell "
            "WHERE municipality_id = %s AND level = (SELECT min(level) FROM "
            "priorities_prioritymapcell)",
            [municipality.pk],
        )
        public = scalar(
            "SELECT count(*) FROM priorities_priority WHERE municipality_id = %s "
            "AND visibility = 'public'",
            [municipality.pk],
        )
        result["map_rollup_cells"] = scalar("SELECT count(*) FROM priorities_prioritymapcell")
        if in_rollup != public:
            problems.append(f"priorities: the map rollup counts {in_rollup:,}, not {public:,}")
    return result


def scalar_rows(sql: str, params=None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- map --------------------------------------------------------------------------------


def viewport(lon: float, lat: float, zoom: int) -> tuple[float, float, float, float]:
    """West, south, east, north of a VIEWPORT_PX map centred on the point at the zoom."""
    metres_per_px = 2 * math.pi * EARTH_RADIUS / 256 / 2**zoom  # Web Mercator
    x = EARTH_RADIUS * math.radians(lon)
    y = EARTH_RADIUS * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    half_w, half_h = VIEWPORT_PX[0] / 2 * metres_per_px, VIEWPORT_PX[1] / 2 * metres_per_px

    def lon_lat(mx: float, my: float) -> tuple[float, float]:
        return (
            math.degrees(mx / EARTH_RADIUS),
            math.degrees(2 * math.atan(math.exp(my / EARTH_RADIUS)) - math.pi / 2),
        )

    west, south = lon_lat(x - half_w, y - half_h)
    east, north = lon_lat(x + half_w, y + half_h)
    return tuple(round(v, 6) for v in (west, south, east, north))


def ground_km(bbox: tuple[float, float, float, float]) -> tuple[float, float]:
    west, south, east, north = bbox
    mid = math.radians((south + north) / 2)
    return (
        math.radians(east - west) * EARTH_RADIUS * math.cos(mid) / 1000,
        math.radians(north - south) * EARTH_RADIUS / 1000,
    )


def centres(count: int, first: int, last: int, rng: random.Random) -> list[tuple[float, float]]:
    """Lon/lat of ``count`` random loaded priorities."""
    ids = rng.sample(range(first, last + 1), count)
    rows = dict(
        (row[0], (row[1], row[2]))
        for row in scalar_rows(
            "SELECT id, ST_X(ST_Transform(point, 4326)), ST_Y(ST_Transform(point, 4326)) "
            "FROM priorities_priority WHERE id = ANY(%s)",
            [ids],
        )
    )
    return [rows[i] for i in ids if i in rows]


def time_calls(calls: Sequence[Callable[[], object]]) -> tuple[list[float], list[object]]:
    timings, results = [], []
    clock = time.perf_counter
    for call in calls:
        start = clock()
        result = call()
        timings.append(clock() - start)
        results.append(result)
    return timings, results


class FullCollections:
    """Seconds of each full (generation 2) garbage collection while the block runs."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self._start = 0.0

    def _callback(self, phase: str, info: dict) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds.append(time.perf_counter() - self._start)

    def __enter__(self) -> FullCollections:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc) -> None:
        gc.callbacks.remove(self._callback)


def bench_zoom(zoom: int, load_info: dict, municipality_id: int, direct: int, count: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from areas.geo import EDGE_STEPS
    from priorities.api import views as map_views
    from priorities.filters import parse_bbox

    rng = random.Random(SEED * 100 + zoom)
    points = centres(count + WARMUP_VIEWPORTS, load_info["first_id"], load_info["last_id"], rng)
    boxes = [viewport(lon, lat, zoom) for lon, lat in points]
    warmup, timed = boxes[:WARMUP_VIEWPORTS], boxes[WARMUP_VIEWPORTS:]
    client = Client()

    def url(box) -> str:
        return MAP_URL.format(code=MUNICIPALITY, bbox=",".join(f"{v:.6f}" for v in box), zoom=zoom)

    progress(f"Map zoom {zoom}: untimed pass over {len(boxes)} viewports (queries, answers)")
    captured, answers = [], []
    for box in boxes:
        with CaptureQueriesContext(connection) as context:
            response = client.get(url(box))
        body = response.json() if response.status_code == 200 else {}
        captured.append([query["sql"] for query in context.captured_queries])
        features = body.get("features", [])
        sql_text = " ".join(captured[-1])
        if not features or not features[0]["properties"].get("cluster"):
            kind = "points"
        elif "priorities_prioritymapcell" in sql_text:
            kind = "rollup"
        else:
            kind = "grid"
        answers.append(
            {
                "status": response.status_code,
                "kind": kind,
                "features": len(features),
                "ids": [f["id"] for f in features] if kind == "points" else None,
                "total": sum(f["properties"].get("count", 1) for f in features),
                "cell_metres": body.get("cell_metres"),
            }
        )

    def params(box, **extra) -> dict:
        west, south, east, north = box
        return {
            "w": west,
            "s": south,
            "e": east,
            "n": north,
            "m": municipality_id,
            "steps": EDGE_STEPS,
            **extra,
        }

    def hand_written(cursor, box, answer) -> dict:
        """The request's work in SQL: the points first when zoomed in, then the clusters."""
        if zoom >= map_views.MAP_CLUSTER_BELOW_ZOOM:
            cursor.execute(MAP_OVER_LIMIT_SQL, params(box, limit=map_views.MAP_POINT_LIMIT))
            if not cursor.fetchall():
                cursor.execute(MAP_POINTS_SQL, params(box, limit=map_views.MAP_POINT_LIMIT))
                rows = cursor.fetchall()
                return {"kind": "points", "features": len(rows), "ids": [r[0] for r in rows]}
        if answer["kind"] == "rollup":
            cursor.execute(MAP_ROLLUP_SQL, params(box, level=answer["cell_metres"]))
            kind = "rollup"
        else:
            cell = map_views._cell_metres(zoom, parse_bbox(",".join(map(str, box))))
            cursor.execute(MAP_GRID_SQL, params(box, cell=cell))
            kind = "grid"
        rows = cursor.fetchall()
        return {"kind": kind, "features": len(rows), "total": sum(int(r[0]) for r in rows)}

    def grid(cursor, box) -> int:
        cell = map_views._cell_metres(zoom, parse_bbox(",".join(map(str, box))))
        cursor.execute(MAP_GRID_SQL, params(box, cell=cell))
        return len(cursor.fetchall())

    def replay(cursor, queries) -> int:
        rows = 0
        for sql in queries:
            cursor.execute(sql)
            rows = len(cursor.fetchall())
        return rows

    progress(f"Map zoom {zoom}: (a) API, {len(warmup)} warm-up + {len(timed)} timed")
    for box in warmup:
        client.get(url(box))
    # Django closes a connection older than CONN_MAX_AGE at the end of a request; the next
    # one then connects afresh (a new server process, cold PostGIS/PROJ caches). Noted.
    # Python's full (generation 2) garbage collections inside a request are noted too.
    api_times, statuses, fresh, full_gc = [], [], [], []
    clock = time.perf_counter
    with FullCollections() as collections:
        for box in timed:
            fresh.append(connection.connection is None)
            before = len(collections.seconds)
            start = clock()
            response = client.get(url(box))
            api_times.append(clock() - start)
            full_gc.append(sum(collections.seconds[before:]))
            statuses.append(response.status_code)

    with connection.cursor() as cursor:
        progress(f"Map zoom {zoom}: (b) the ORM's SQL replayed, (c) hand-written SQL")
        for queries in captured[:WARMUP_VIEWPORTS]:
            replay(cursor, queries)
        orm_times, _ = time_calls(
            [lambda q=q: replay(cursor, q) for q in captured[WARMUP_VIEWPORTS:]]
        )
        pairs = list(zip(boxes, answers, strict=True))
        for box, answer in pairs[:WARMUP_VIEWPORTS]:
            hand_written(cursor, box, answer)
        raw_times, raw_answers = time_calls(
            [lambda b=b, a=a: hand_written(cursor, b, a) for b, a in pairs[WARMUP_VIEWPORTS:]]
        )
        progress(f"Map zoom {zoom}: (d) clusters straight from the points, {direct} viewports")
        grid(cursor, warmup[0])
        direct_times, direct_features = time_calls(
            [lambda b=b: grid(cursor, b) for b in timed[:direct]]
        )
        explain = explain_slowest(cursor, captured[WARMUP_VIEWPORTS:], api_times)

    timed_answers = answers[WARMUP_VIEWPORTS:]
    mismatches = []
    for box, api, raw in zip(timed, timed_answers, raw_answers, strict=True):
        same = api["kind"] == raw["kind"] and api["features"] == raw["features"]
        same = same and (api["ids"] == raw["ids"] if api["kind"] == "points" else True)
        same = same and (api["total"] == raw["total"] if api["kind"] != "points" else True)
        if not same:
            mismatches.append({"bbox": box, "api": _short(api), "sql": _short(raw)})
    features = [a["features"] for a in timed_answers]
    api_ms, raw_ms = ms(api_times), ms(raw_times)
    sizes = [ground_km(b) for b in timed]
    return {
        "zoom": zoom,
        "viewports": len(timed),
        "warmup": len(warmup),
        "viewport_km": [
            statistics.median(s[0] for s in sizes),
            statistics.median(s[1] for s in sizes),
        ],
        "url_example": url(timed[0]),
        "answers": dict(Counter(a["kind"] for a in timed_answers)),
        "cell_metres": sorted({a["cell_metres"] for a in timed_answers if a["cell_metres"]}),
        "features_median": statistics.median(features),
        "features_max": max(features),
        "priorities_median": statistics.median(a["total"] for a in timed_answers),
        "api_ms": api_ms,
        "api_runs_ms": [t * 1000 for t in api_times],
        "api_new_connections": sum(fresh),
        "api_new_connection_runs_ms": [
            t * 1000 for t, f in zip(api_times, fresh, strict=True) if f
        ],
        "api_full_gc": sum(1 for g in full_gc if g),
        "api_full_gc_ms": [g * 1000 for g in full_gc if g],
        "orm_sql_ms": ms(orm_times),
        "raw_sql_ms": raw_ms,
        "direct_grid_ms": ms(direct_times),
        "direct_grid_features_median": statistics.median(direct_features),
        "ratio_api_raw_p50": api_ms["p50"] / raw_ms["p50"],
        "ratio_api_raw_p95": api_ms["p95"] / raw_ms["p95"],
        "not_200": sum(1 for s in statuses if s != 200),
        "mismatches": len(mismatches),
        "mismatch_examples": mismatches[:3],
        "explain_slowest": explain,
        "goal_p95_ms": MAP_GOAL_P95_MS,
        "goal_met": api_ms["p95"] < MAP_GOAL_P95_MS and not any(s != 200 for s in statuses),
    }


def _short(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k != "ids"}


def explain_slowest(cursor, captured: Sequence[list[str]], times: Sequence[float]) -> dict:
    """EXPLAIN ANALYZE of the queries the slowest API request ran (for whoever tunes it)."""
    slowest = max(range(len(times)), key=times.__getitem__)
    plans = []
    for sql in captured[slowest]:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plans.append({"sql": sql, "plan": [row[0] for row in cursor.fetchall()]})
    return {"api_ms": times[slowest] * 1000, "queries": plans}


def bench_map(load_info: dict, viewports: int, direct: int, problems: list[str]) -> list[dict]:
    from areas.models import Municipality

    municipality_id = Municipality.objects.get(code=MUNICIPALITY).pk
    results = []
    for zoom in ZOOMS:
        result = bench_zoom(zoom, load_info, municipality_id, min(direct, viewports), viewports)
        if result["not_200"]:
            problems.append(f"map zoom {zoom}: {result['not_200']} responses not 200")
        if result["mismatches"]:
            problems.append(
                f"map zoom {zoom}: {result['mismatches']} viewports where the API and the "
                f"hand-written SQL disagree, e.g. {result['mismatch_examples'][:1]}"
            )
        results.append(result)
    return results


# --- create -----------------------------------------------------------------------------


def random_places(count: int) -> list[tuple[float, float]]:
    """Lon/lat of ``count`` random points in Bodø (fixed seed)."""
    from areas.models import Area

    boundary = Area.objects.current().get(type__slug="kommune", code=MUNICIPALITY)
    return scalar_rows(
        "SELECT ST_X(p.geom), ST_Y(p.geom) FROM areas_area a, "
        "ST_Dump(ST_Transform(ST_GeneratePoints(a.geom, %s, %s), 4326)) p "
        "WHERE a.id = %s ORDER BY p.path",
        [count, SEED + 7, boundary.pk],
    )


def bench_create(count: int, problems: list[str]) -> dict:
    from django.contrib.gis.geos import Point
    from django.db import connection, transaction
    from django.utils import timezone

    from priorities.models import Category
    from priorities.services import input_locate, priority_create

    user = bench_user()
    rng = random.Random(SEED + 3)
    places = random_places(2 * (count + WARMUP_CREATES))
    rng.shuffle(places)
    categories = list(Category.objects.filter(municipality__isnull=True))
    inputs = [
        {
            "lon": lon,
            "lat": lat,
            "category": rng.choice(categories),
            "title": rng.choice(TITLES),
            "text": "Benchmark: " + rng.choice(SENTENCES) * rng.randint(1, 4),
        }
        for lon, lat in places
    ]
    orm_inputs, raw_inputs = inputs[: count + WARMUP_CREATES], inputs[count + WARMUP_CREATES :]

    def orm(item):
        return priority_create(
            author=user,
            point=Point(item["lon"], item["lat"], srid=4326),
            category=item["category"],
            title=item["title"],
            text=item["text"],
        )

    def raw(item) -> list[int]:
        with transaction.atomic(), connection.cursor() as cursor:
            where = {"lon": item["lon"], "lat": item["lat"]}
            cursor.execute(CREATE_COVERING_SQL, where)
            areas = cursor.fetchall()
            municipality = next((m for _, m, slug in areas if slug == "kommune"), None)
            cursor.execute(
                CREATE_COUNTER_SQL, {"prefix": PREFIX, "year": timezone.localdate().year}
            )
            (number,) = cursor.fetchone()
            cursor.execute(
                CREATE_INSERT_SQL,
                {
                    **where,
                    "reference": f"{PREFIX}-{timezone.localdate().year}-{number:06d}",
                    "municipality": municipality,
                    "author": user.pk,
                    "category": item["category"].pk,
                    "title": item["title"],
                    "text": item["text"],
                },
            )
            (priority,) = cursor.fetchone()
            ids = [a for a, m, _ in areas if m == municipality and m is not None]
            cursor.execute(CREATE_AREAS_SQL, {"priority": priority, "areas": ids})
        return sorted(ids)

    progress(f"Create: priority_create, {WARMUP_CREATES} warm-up + {count} timed")
    for item in orm_inputs[:WARMUP_CREATES]:
        orm(item)
    orm_times, created = time_calls([lambda i=i: orm(i) for i in orm_inputs[WARMUP_CREATES:]])
    progress(f"Create: hand-written SQL, {WARMUP_CREATES} warm-up + {count} timed")
    for item in raw_inputs[:WARMUP_CREATES]:
        raw(item)
    raw_times, raw_areas = time_calls([lambda i=i: raw(i) for i in raw_inputs[WARMUP_CREATES:]])

    # Same rule both ways: the service's areas at the raw method's places.
    check = []
    for item, ids in zip(raw_inputs[WARMUP_CREATES:][:20], raw_areas[:20], strict=False):
        _, areas = input_locate(Point(item["lon"], item["lat"], srid=4326))
        if sorted(a.pk for a in areas) != ids:
            check.append((item["lon"], item["lat"]))
    if check:
        problems.append(f"create: the service and the SQL chose other areas at {check[:3]}")
    links = [len(p.areas.all()) for p in created[:20]]
    orm_ms, raw_ms = ms(orm_times), ms(raw_times)
    return {
        "creates": count,
        "warmup": WARMUP_CREATES,
        "orm_ms": orm_ms,
        "orm_runs_ms": [t * 1000 for t in orm_times],
        "raw_sql_ms": raw_ms,
        "raw_sql_runs_ms": [t * 1000 for t in raw_times],
        "ratio_p50": orm_ms["p50"] / raw_ms["p50"],
        "ratio_p95": orm_ms["p95"] / raw_ms["p95"],
        "areas_per_priority": statistics.median(links) if links else 0,
        "area_mismatches": len(check),
        "goal_p95_ms": CREATE_GOAL_P95_MS,
        "goal_met": orm_ms["p95"] < CREATE_GOAL_P95_MS,
    }


# --- entry point and report -------------------------------------------------------------


def run(
    rows: int = DEFAULT_ROWS,
    viewports: int = VIEWPORTS,
    direct_viewports: int = DIRECT_VIEWPORTS,
    creates: int = CREATES,
    problems: list[str] | None = None,
) -> dict:
    problems = [] if problems is None else problems
    mine: list[str] = []
    load_info = load(rows, mine)
    gc.collect()
    gc_objects = len(gc.get_objects())
    zooms = bench_map(load_info, viewports, direct_viewports, mine)
    create = bench_create(creates, mine)
    problems.extend(mine)
    return {
        "municipality": MUNICIPALITY,
        "seed": SEED,
        "load": load_info,
        "map": {
            "url": MAP_URL,
            "viewport_px": VIEWPORT_PX,
            "zooms": zooms,
            "python_gc_objects_before": gc_objects,
            "goal_p95_ms": MAP_GOAL_P95_MS,
            "goal_met": all(z["goal_met"] for z in zooms),
        },
        "create": create,
        "problems": mine,
    }


def format_report(results: dict, environment: dict | None = None) -> str:
    lines = []
    if environment:
        lines += [
            f"Nabolaget priorities benchmark  {environment['date']}  git {environment['git']}",
            f"database {environment['database']}; PostgreSQL {environment['postgresql']}, "
            f"PostGIS {environment['postgis']}, {environment['cpus']} CPUs",
            "",
        ]
    ld = results["load"]
    steps = ", ".join(f"{k} {v:.1f}" for k, v in ld["steps_s"].items())
    lines += [
        f"Load: {ld['rows']:,} priorities into Bodø ({results['municipality']}, "
        f"{ld['bodo_km2']:,.0f} km², {ld['rows'] / ld['bodo_km2']:,.0f} per km²) "
        f"in {ld['seconds']:.1f} s (not a goal)",
        f"  seconds: {steps}",
        f"  {ld['area_links']:,} area links ({ld['area_types']} types; "
        f"{ld['with_fewer_areas_than_types']:,} priorities outside some type's areas; "
        f"input_locate agrees on {ld['locate_checked'] - ld['locate_mismatches']} of "
        f"{ld['locate_checked']} sampled); table "
        f"{ld['table_mb']:,.0f} MB, links {ld['areas_table_mb']:,.0f} MB; "
        f"{ld['priorities_total']:,} priorities in all; statuses "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(ld["statuses"].items(), key=lambda x: -x[1])),
        f"  triggers off during the load: {', '.join(ld['triggers_off_during_load']) or 'none'}; "
        f"map rollup rebuilt: {'yes' if ld['map_rollup_rebuilt'] else 'no'}"
        + (f" ({ld['map_rollup_cells']:,} cells)" if ld.get("map_rollup_cells") else ""),
        "",
    ]
    mp = results["map"]
    zooms = mp["zooms"]
    first = zooms[0] if zooms else {}
    passes = [t for z in zooms for t in z["api_full_gc_ms"]]
    lines += [
        f"Map: GET {MAP_URL.split('?')[0]}?municipality={results['municipality']}&bbox=…&zoom=Z; "
        f"{VIEWPORT_PX[0]}×{VIEWPORT_PX[1]} px viewports centred on {first.get('viewports', 0)} "
        f"random priorities per zoom (seed {results['seed']}), {first.get('warmup', 0)} "
        "warm-up requests per method; ms",
        "  (a) API through the test Client; (b) the ORM's SQL for the request, replayed; "
        "(c) hand-written SQL doing the same work;",
        "  (d) clusters straight from the points (grid cells), on the first "
        f"{first.get('direct_grid_ms', {}).get('n', 0)} viewports",
        f"  {'zoom':>4} {'km':>11} {'answer':<22} {'feat':>5} {'prio':>8} "
        f"{'(a) p50':>8} {'p95':>7} {'(b) p50':>8} {'p95':>7} {'(c) p50':>8} {'p95':>7} "
        f"{'a/c p50':>7} {'p95':>6} {'(d) p50':>8} {'p95':>7} {'conn':>4} {'gc':>3}  goal",
    ]
    for z in zooms:
        answer = ", ".join(f"{k} {v}" for k, v in sorted(z["answers"].items()))
        if z["cell_metres"]:
            cells = "/".join(f"{c:g}" for c in z["cell_metres"][:2])
            answer += f" {cells} m"
        km = f"{z['viewport_km'][0]:.1f}×{z['viewport_km'][1]:.1f}"
        a, b, c, d = z["api_ms"], z["orm_sql_ms"], z["raw_sql_ms"], z["direct_grid_ms"]
        lines.append(
            f"  {z['zoom']:>4} {km:>11} {answer:<22} {z['features_median']:>5.0f} "
            f"{z['priorities_median']:>8,.0f} {a['p50']:>8.1f} {a['p95']:>7.1f} "
            f"{b['p50']:>8.1f} {b['p95']:>7.1f} {c['p50']:>8.1f} {c['p95']:>7.1f} "
            f"{z['ratio_api_raw_p50']:>6.1f}x {z['ratio_api_raw_p95']:>5.1f}x "
            f"{d['p50']:>8.1f} {d['p95']:>7.1f} {z['api_new_connections']:>4} {z['api_full_gc']:>3}  "
            f"{verdict(z['goal_met'])}"
        )
    lines += [
        "  feat = median features returned (clusters or points); prio = median priorities they "
        "stand for;",
        "  conn = API requests that opened a new database connection (Django closes one older "
        "than CONN_MAX_AGE after a request);",
        "  gc = API requests during which Python ran a full (generation 2) garbage collection"
        + (
            f" (one took {statistics.median(passes):.0f} ms median, {max(passes):.0f} ms max; "
            f"{mp['python_gc_objects_before']:,} objects tracked before the map part)"
            if passes
            else ""
        ),
        f"goal: map API p95 < {mp['goal_p95_ms']:.0f} ms at every zoom: {verdict(mp['goal_met'])}"
        + (
            " (worst "
            + ", ".join(
                f"zoom {z['zoom']} {z['api_ms']['p95']:.1f} ms"
                for z in sorted(zooms, key=lambda z: -z["api_ms"]["p95"])[:1]
            )
            + ")"
            if zooms
            else ""
        ),
        "",
    ]
    cr = results["create"]
    o, r = cr["orm_ms"], cr["raw_sql_ms"]
    lines += [
        f"Create: {cr['creates']} priorities at random places in Bodø, {cr['warmup']} warm-up "
        f"each; median {cr['areas_per_priority']:.0f} areas each; ms",
        f"  {'method':<58} {'p50':>7} {'p95':>7} {'p99':>7} {'mean':>7}",
        f"  {'priority_create() (lookup, receipt, insert, areas, job)':<58} "
        f"{o['p50']:>7.2f} {o['p95']:>7.2f} {o['p99']:>7.2f} {o['mean']:>7.2f}",
        f"  {'hand-written SQL (lookup, counter, insert, areas)':<58} "
        f"{r['p50']:>7.2f} {r['p95']:>7.2f} {r['p99']:>7.2f} {r['mean']:>7.2f}",
        f"  ratio service/SQL {cr['ratio_p50']:.2f}x p50, {cr['ratio_p95']:.2f}x p95",
        f"goal: create p95 < {cr['goal_p95_ms']:.0f} ms: {verdict(cr['goal_met'])} "
        f"({o['p95']:.2f} ms)",
        "",
        "problems:" if results["problems"] else "problems: none",
    ]
    lines += [f"  - {problem}" for problem in results["problems"]]
    return "\n".join(lines)


__all__ = ["DEFAULT_ROWS", "format_report", "percentile", "run"]
