"""Per-area totals of public priorities, kept exact by statement-level database triggers.

Four tables serve the planner's counts and the case digests without aggregating the
priorities themselves:

- ``priorities_priorityareastat``: per (municipality, area, category, status, answered) the
  number of public priorities and the sum of their supports;
- ``priorities_priorityareamonth``: per (municipality, area, month created) the number of
  public priorities: the digests' trend;
- ``priorities_priorityanswerdays``: per (municipality, area, category, status, whole days
  from creation to the first public answer) the number of answered public priorities: the
  histogram the median days to first answer is read from;
- ``priorities_priorityunansweredday``: per (municipality, area, day of creation) the number
  of public priorities without an answer: what is older than the promised answer time.

The area is NULL for the whole municipality (a priority counts there once, whatever areas
it lies in). The month is the calendar month of ``created_at`` in Norwegian time.

The triggers are statement-level with transition tables, so a bulk update of ten thousand
priorities or an area re-import that relinks a million is one set-based upsert, not a
trigger call per row:

- on ``priorities_priority`` after INSERT (the municipality row) and UPDATE (old rows out,
  new rows in, for the municipality and every area the priority is linked to);
- on ``priorities_priority_areas`` (the areas M2M) after INSERT and DELETE (the linked or
  unlinked area's rows).

Priorities are never deleted (a trigger forbids it), so there is no DELETE trigger on them.
``rebuild()`` recomputes both tables from scratch (after a bulk load with triggers off) and
``drift()`` lists every key where the tables and a fresh aggregate disagree (used by the
tests and the ``check_rollups`` command).
"""

from __future__ import annotations

from django.db import connection, transaction

ROLLUP_TIME_ZONE = "Europe/Oslo"

# The columns a priority contributes with, for a set of priority rows ``p`` expanded to
# (area NULL) + each linked area ``l``.
_MONTH = f"date_trunc('month', p.created_at AT TIME ZONE '{ROLLUP_TIME_ZONE}')::date"
_DAYS = "floor(extract(epoch FROM p.first_answered_at - p.created_at) / 86400)::int"

_STAT_KEYS = "municipality_id, area_id, category_id, status, answered"
_MONTH_KEYS = "municipality_id, area_id, month"
_DAYS_KEYS = "municipality_id, area_id, category_id, status, days"
_WAITING_KEYS = "municipality_id, area_id, day"


def _stat_rows(source: str, sign: int) -> str:
    return f"""
        SELECT p.municipality_id, p.area_id, p.category_id, p.status,
               p.first_answered_at IS NOT NULL AS answered,
               {sign} AS n, {sign} * p.support_count AS s
          FROM ({source}) p WHERE p.visibility = 'public'"""


def _days_rows(source: str, sign: int) -> str:
    return f"""
        SELECT p.municipality_id, p.area_id, p.category_id, p.status, {_DAYS} AS days,
               {sign} AS n
          FROM ({source}) p
         WHERE p.visibility = 'public' AND p.first_answered_at IS NOT NULL"""


def _month_rows(source: str, sign: int) -> str:
    return f"""
        SELECT p.municipality_id, p.area_id, {_MONTH} AS month, {sign} AS n
          FROM ({source}) p WHERE p.visibility = 'public'"""


def _waiting_rows(source: str, sign: int) -> str:
    return f"""
        SELECT p.municipality_id, p.area_id,
               (p.created_at AT TIME ZONE '{ROLLUP_TIME_ZONE}')::date AS day, {sign} AS n
          FROM ({source}) p
         WHERE p.visibility = 'public' AND p.first_answered_at IS NULL"""


def _upserts(parts: list[tuple[str, int]]) -> str:
    """SQL adding the signed contributions of several row sources to the three tables."""
    stats = "\n        UNION ALL".join(_stat_rows(src, sign) for src, sign in parts)
    days = "\n        UNION ALL".join(_days_rows(src, sign) for src, sign in parts)
    waiting = "\n        UNION ALL".join(_waiting_rows(src, sign) for src, sign in parts)
    months = "\n        UNION ALL".join(_month_rows(src, sign) for src, sign in parts)
    return f"""
    INSERT INTO priorities_priorityareastat AS r ({_STAT_KEYS}, count, supports)
    SELECT {_STAT_KEYS}, sum(n), sum(s) FROM ({stats}) d
     GROUP BY {_STAT_KEYS} HAVING sum(n) <> 0 OR sum(s) <> 0
     ORDER BY {_STAT_KEYS}
    ON CONFLICT ({_STAT_KEYS}) DO UPDATE
       SET count = r.count + EXCLUDED.count, supports = r.supports + EXCLUDED.supports;
    INSERT INTO priorities_priorityanswerdays AS r ({_DAYS_KEYS}, count)
    SELECT {_DAYS_KEYS}, sum(n) FROM ({days}) d
     GROUP BY {_DAYS_KEYS} HAVING sum(n) <> 0
     ORDER BY {_DAYS_KEYS}
    ON CONFLICT ({_DAYS_KEYS}) DO UPDATE SET count = r.count + EXCLUDED.count;
    INSERT INTO priorities_priorityunansweredday AS r ({_WAITING_KEYS}, count)
    SELECT {_WAITING_KEYS}, sum(n) FROM ({waiting}) d
     GROUP BY {_WAITING_KEYS} HAVING sum(n) <> 0
     ORDER BY {_WAITING_KEYS}
    ON CONFLICT ({_WAITING_KEYS}) DO UPDATE SET count = r.count + EXCLUDED.count;
    INSERT INTO priorities_priorityareamonth AS r ({_MONTH_KEYS}, count)
    SELECT {_MONTH_KEYS}, sum(n) FROM ({months}) d
     GROUP BY {_MONTH_KEYS} HAVING sum(n) <> 0
     ORDER BY {_MONTH_KEYS}
    ON CONFLICT ({_MONTH_KEYS}) DO UPDATE SET count = r.count + EXCLUDED.count;
"""


def _priority_rows(rows: str, expand: bool) -> str:
    """Priority rows with ``area_id``: NULL (the municipality) and, with ``expand``, one
    more row per area the priority is linked to."""
    own = f"SELECT p.*, NULL::bigint AS area_id FROM {rows} p"
    if not expand:
        return own
    return f"""{own}
        UNION ALL
        SELECT p.*, l.area_id FROM {rows} p
          JOIN priorities_priority_areas l ON l.priority_id = p.id"""


def _link_rows(links: str) -> str:
    return f"""SELECT p.*, l.area_id AS area_id
                 FROM {links} l JOIN priorities_priority p ON p.id = l.priority_id"""


# Changed columns that matter; an UPDATE touching none of them (a text edit, a redaction)
# costs one comparison per row.
_RELEVANT = (
    "visibility",
    "status",
    "category_id",
    "support_count",
    "first_answered_at",
    "municipality_id",
    "created_at",
)
_CHANGED = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in _RELEVANT)

PRIORITY_INSERT_FUNCTION = f"""
CREATE OR REPLACE FUNCTION priorities_rollup_priority_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {_upserts([(_priority_rows("new_rows", expand=False), 1)])}
    RETURN NULL;
END $$;
"""

_CHANGED_OLD = f"""(SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id
                   WHERE {_CHANGED})"""
_CHANGED_NEW = f"""(SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id
                   WHERE {_CHANGED})"""

PRIORITY_UPDATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION priorities_rollup_priority_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {_CHANGED}) THEN
        RETURN NULL;
    END IF;
    {_upserts([(_priority_rows(_CHANGED_OLD, True), -1), (_priority_rows(_CHANGED_NEW, True), 1)])}
    RETURN NULL;
END $$;
"""

LINK_INSERT_FUNCTION = f"""
CREATE OR REPLACE FUNCTION priorities_rollup_link_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {_upserts([(_link_rows("new_links"), 1)])}
    RETURN NULL;
END $$;
"""

LINK_DELETE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION priorities_rollup_link_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {_upserts([(_link_rows("old_links"), -1)])}
    RETURN NULL;
END $$;
"""

TRIGGERS = """
CREATE TRIGGER rollup_priority_insert AFTER INSERT ON priorities_priority
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION priorities_rollup_priority_insert();
CREATE TRIGGER rollup_priority_update AFTER UPDATE ON priorities_priority
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION priorities_rollup_priority_update();
CREATE TRIGGER rollup_link_insert AFTER INSERT ON priorities_priority_areas
    REFERENCING NEW TABLE AS new_links
    FOR EACH STATEMENT EXECUTE FUNCTION priorities_rollup_link_insert();
CREATE TRIGGER rollup_link_delete AFTER DELETE ON priorities_priority_areas
    REFERENCING OLD TABLE AS old_links
    FOR EACH STATEMENT EXECUTE FUNCTION priorities_rollup_link_delete();
"""

INSTALL_SQL = (
    PRIORITY_INSERT_FUNCTION
    + PRIORITY_UPDATE_FUNCTION
    + LINK_INSERT_FUNCTION
    + LINK_DELETE_FUNCTION
    + TRIGGERS
)

UNINSTALL_SQL = """
DROP TRIGGER IF EXISTS rollup_priority_insert ON priorities_priority;
DROP TRIGGER IF EXISTS rollup_priority_update ON priorities_priority;
DROP TRIGGER IF EXISTS rollup_link_insert ON priorities_priority_areas;
DROP TRIGGER IF EXISTS rollup_link_delete ON priorities_priority_areas;
DROP FUNCTION IF EXISTS priorities_rollup_priority_insert();
DROP FUNCTION IF EXISTS priorities_rollup_priority_update();
DROP FUNCTION IF EXISTS priorities_rollup_link_insert();
DROP FUNCTION IF EXISTS priorities_rollup_link_delete();
"""

# A fresh aggregate of everything, in the tables' shapes.
_ALL = _priority_rows("priorities_priority", expand=True)
FRESH_STATS_SQL = f"""
    SELECT {_STAT_KEYS}, sum(n) AS count, sum(s) AS supports
      FROM ({_stat_rows(_ALL, 1)}) d GROUP BY {_STAT_KEYS}"""
FRESH_DAYS_SQL = f"""
    SELECT {_DAYS_KEYS}, sum(n) AS count
      FROM ({_days_rows(_ALL, 1)}) d GROUP BY {_DAYS_KEYS}"""

FRESH_MONTH_SQL = f"""
    SELECT {_MONTH_KEYS}, sum(n) AS count
      FROM ({_month_rows(_ALL, 1)}) d GROUP BY {_MONTH_KEYS}"""

FRESH_WAITING_SQL = f"""
    SELECT {_WAITING_KEYS}, sum(n) AS count
      FROM ({_waiting_rows(_ALL, 1)}) d GROUP BY {_WAITING_KEYS}"""

REBUILD_SQL = f"""
DELETE FROM priorities_priorityareastat;
INSERT INTO priorities_priorityareastat ({_STAT_KEYS}, count, supports) {FRESH_STATS_SQL};
DELETE FROM priorities_priorityanswerdays;
INSERT INTO priorities_priorityanswerdays ({_DAYS_KEYS}, count) {FRESH_DAYS_SQL};
DELETE FROM priorities_priorityunansweredday;
INSERT INTO priorities_priorityunansweredday ({_WAITING_KEYS}, count) {FRESH_WAITING_SQL};
DELETE FROM priorities_priorityareamonth;
INSERT INTO priorities_priorityareamonth ({_MONTH_KEYS}, count) {FRESH_MONTH_SQL};
"""

# NULL never equals NULL in a join: the municipality's rows (area NULL) are joined as area 0.
_NO_NULL = "coalesce(area_id, 0) AS area_id"
DRIFT_STATS_SQL = f"""
SELECT 'stat', {_STAT_KEYS}, t.count, f.count, t.supports, f.supports FROM
    (SELECT {_STAT_KEYS.replace("area_id", _NO_NULL)}, count, supports
       FROM priorities_priorityareastat WHERE count <> 0 OR supports <> 0) t
    FULL JOIN (SELECT {_STAT_KEYS.replace("area_id", _NO_NULL)}, count, supports
                 FROM ({FRESH_STATS_SQL}) x) f USING ({_STAT_KEYS})
 WHERE t.count IS DISTINCT FROM f.count OR t.supports IS DISTINCT FROM f.supports
"""
DRIFT_DAYS_SQL = f"""
SELECT 'days', {_DAYS_KEYS}, t.count, f.count FROM
    (SELECT {_DAYS_KEYS.replace("area_id", _NO_NULL)}, count
       FROM priorities_priorityanswerdays WHERE count <> 0) t
    FULL JOIN (SELECT {_DAYS_KEYS.replace("area_id", _NO_NULL)}, count
                 FROM ({FRESH_DAYS_SQL}) x) f USING ({_DAYS_KEYS})
 WHERE t.count IS DISTINCT FROM f.count
"""
DRIFT_WAITING_SQL = f"""
SELECT 'waiting', {_WAITING_KEYS}, t.count, f.count FROM
    (SELECT {_WAITING_KEYS.replace("area_id", _NO_NULL)}, count
       FROM priorities_priorityunansweredday WHERE count <> 0) t
    FULL JOIN (SELECT {_WAITING_KEYS.replace("area_id", _NO_NULL)}, count
                 FROM ({FRESH_WAITING_SQL}) x) f USING ({_WAITING_KEYS})
 WHERE t.count IS DISTINCT FROM f.count
"""

DRIFT_MONTH_SQL = f"""
SELECT 'month', {_MONTH_KEYS}, t.count, f.count FROM
    (SELECT {_MONTH_KEYS.replace("area_id", _NO_NULL)}, count
       FROM priorities_priorityareamonth WHERE count <> 0) t
    FULL JOIN (SELECT {_MONTH_KEYS.replace("area_id", _NO_NULL)}, count
                 FROM ({FRESH_MONTH_SQL}) x) f USING ({_MONTH_KEYS})
 WHERE t.count IS DISTINCT FROM f.count
"""

# The functions alone, to replace them in a database that has the triggers already.
FUNCTIONS_SQL = (
    PRIORITY_INSERT_FUNCTION
    + PRIORITY_UPDATE_FUNCTION
    + LINK_INSERT_FUNCTION
    + LINK_DELETE_FUNCTION
)


@transaction.atomic
def rebuild() -> None:
    """Recompute both rollup tables from the priorities and their areas."""
    with connection.cursor() as cursor:
        cursor.execute(REBUILD_SQL)


def drift() -> list[tuple]:
    """Every key where the rollup tables differ from a fresh aggregate (empty when exact)."""
    with connection.cursor() as cursor:
        cursor.execute(DRIFT_STATS_SQL)
        rows = cursor.fetchall()
        cursor.execute(DRIFT_DAYS_SQL)
        rows += cursor.fetchall()
        cursor.execute(DRIFT_WAITING_SQL)
        rows += cursor.fetchall()
        cursor.execute(DRIFT_MONTH_SQL)
        return rows + cursor.fetchall()
