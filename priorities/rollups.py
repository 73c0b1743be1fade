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
``rebuild()`` recomputes every table from scratch (after a bulk load with triggers off) and
``drift()`` lists every key where the tables and a fresh aggregate disagree (used by the
tests and the ``check_rollups`` command).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

ROLLUP_TIME_ZONE = "Europe/Oslo"

# The columns a priority contributes with, for a set of priority rows ``p`` expanded to
# (area NULL) + each linked area ``l``.
_MONTH = f"date_trunc('month', p.created_at AT TIME ZONE '{ROLLUP_TIME_ZONE}')::date"
_DAYS = "floor(extract(epoch FROM p.first_answered_at - p.created_at) / 86400)::int"


@dataclass(frozen=True)
class _Table:
    """One rollup table: its key columns (as computed from a priority row ``p``), the
    values it sums, and which priorities count in it."""

    name: str
    keys: tuple[tuple[str, str], ...]  # (column, expression over p)
    sums: tuple[tuple[str, str], ...] = (("count", "1"),)
    where: str = "TRUE"

    @property
    def key_list(self) -> str:
        return ", ".join(column for column, _expr in self.keys)

    @property
    def lock_order(self) -> str:
        """The order every statement upserts (and so locks) rows in: the municipality's row
        (area NULL) before its areas' rows. A new priority locks the municipality's row in
        one statement and its areas' in the next; a support locks both in one: without
        one order for both, two such transactions deadlock."""
        return self.key_list.replace("area_id", "area_id NULLS FIRST")

    def rows(self, source: str, sign: int) -> str:
        """The signed contributions (n, s, …) of the priority rows in ``source``."""
        keys = ", ".join(f"{expr} AS {column}" for column, expr in self.keys)
        sums = ", ".join(f"{sign} * {expr} AS v{i}" for i, (_c, expr) in enumerate(self.sums))
        return f"""
        SELECT {keys}, {sums}
          FROM ({source}) p WHERE p.visibility = 'public' AND {self.where}"""

    def upsert(self, parts: list[tuple[str, int]]) -> str:
        rows = "\n        UNION ALL".join(self.rows(src, sign) for src, sign in parts)
        columns = ", ".join(column for column, _expr in self.sums)
        totals = ", ".join(f"sum(v{i})" for i in range(len(self.sums)))
        nonzero = " OR ".join(f"sum(v{i}) <> 0" for i in range(len(self.sums)))
        adds = ", ".join(f"{c} = r.{c} + EXCLUDED.{c}" for c, _expr in self.sums)
        return f"""
    INSERT INTO {self.name} AS r ({self.key_list}, {columns})
    SELECT {self.key_list}, {totals} FROM ({rows}) d
     GROUP BY {self.key_list} HAVING {nonzero}
     ORDER BY {self.lock_order}
    ON CONFLICT ({self.key_list}) DO UPDATE SET {adds};"""

    def fresh(self) -> str:
        """A fresh aggregate of every priority, in the table's shape."""
        columns = ", ".join(f"sum(v{i}) AS {c}" for i, (c, _e) in enumerate(self.sums))
        return f"""
    SELECT {self.key_list}, {columns}
      FROM ({self.rows(_ALL, 1)}) d GROUP BY {self.key_list}"""

    def rebuild(self) -> str:
        columns = ", ".join(column for column, _expr in self.sums)
        return f"""
DELETE FROM {self.name};
INSERT INTO {self.name} ({self.key_list}, {columns}) {self.fresh()};"""

    def drift(self) -> str:
        """Keys where the table and a fresh aggregate differ. NULL never equals NULL in a
        join: the municipality's rows (area NULL) are joined as area 0."""
        keys = self.key_list.replace("area_id", "coalesce(area_id, 0) AS area_id")
        columns = ", ".join(column for column, _expr in self.sums)
        pairs = ", ".join(f"t.{c}, f.{c}" for c, _e in self.sums)
        kept = " OR ".join(f"{c} <> 0" for c, _e in self.sums)
        differ = " OR ".join(f"t.{c} IS DISTINCT FROM f.{c}" for c, _e in self.sums)
        return f"""
SELECT '{self.name}', {self.key_list}, {pairs} FROM
    (SELECT {keys}, {columns} FROM {self.name} WHERE {kept}) t
    FULL JOIN (SELECT {keys}, {columns} FROM ({self.fresh()}) x) f USING ({self.key_list})
 WHERE {differ}"""


_OWN_KEYS = (("municipality_id", "p.municipality_id"), ("area_id", "p.area_id"))
TABLES = (
    _Table(
        "priorities_priorityareastat",
        (
            *_OWN_KEYS,
            ("category_id", "p.category_id"),
            ("status", "p.status"),
            ("answered", "p.first_answered_at IS NOT NULL"),
        ),
        sums=(("count", "1"), ("supports", "p.support_count")),
    ),
    _Table(
        "priorities_priorityanswerdays",
        (*_OWN_KEYS, ("category_id", "p.category_id"), ("status", "p.status"), ("days", _DAYS)),
        where="p.first_answered_at IS NOT NULL",
    ),
    _Table(
        "priorities_priorityunansweredday",
        (*_OWN_KEYS, ("day", f"(p.created_at AT TIME ZONE '{ROLLUP_TIME_ZONE}')::date")),
        where="p.first_answered_at IS NULL",
    ),
    _Table("priorities_priorityareamonth", (*_OWN_KEYS, ("month", _MONTH))),
)


def _upserts(parts: list[tuple[str, int]]) -> str:
    """SQL adding the signed contributions of several row sources to every table."""
    return "".join(table.upsert(parts) for table in TABLES) + "\n"


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

# The functions the triggers call (installed with the triggers by migration 0006). A
# change here needs a new migration holding a literal copy of the new SQL: a migration
# never imports this module, so editing it changes nothing an old migration does
# (tests/test_migrations.py checks both).
FUNCTIONS_SQL = (
    PRIORITY_INSERT_FUNCTION
    + PRIORITY_UPDATE_FUNCTION
    + LINK_INSERT_FUNCTION
    + LINK_DELETE_FUNCTION
)

# A fresh aggregate of everything: the priorities, each in its municipality and its areas.
_ALL = _priority_rows("priorities_priority", expand=True)
REBUILD_SQL = "".join(table.rebuild() for table in TABLES) + "\n"


@transaction.atomic
def rebuild() -> None:
    """Recompute every rollup table from the priorities and their areas."""
    with connection.cursor() as cursor:
        cursor.execute(REBUILD_SQL)


def drift() -> list[tuple]:
    """Every key where the rollup tables differ from a fresh aggregate (empty when exact)."""
    with connection.cursor() as cursor:
        rows = []
        for table in TABLES:
            cursor.execute(table.drift())
            rows += cursor.fetchall()
        return rows
