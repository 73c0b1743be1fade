"""Database helpers shared by the apps."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import F, Field, Func, QuerySet, Value
from django.db.models.functions import Coalesce


class Row(Func):
    """A row constructor, ROW(a, b): rows compare column by column (PostgreSQL)."""

    function = "ROW"
    output_field = Field()


def estimate_count(queryset: QuerySet, *, exact_below: int = 10_000) -> tuple[int, bool]:
    """How many rows the queryset has: exact when the planner expects few, else its estimate.

    Returns (count, exact). Counting a million rows to print "about 1,000,000" is waste;
    PostgreSQL's own row estimate (EXPLAIN) serves, and small results are counted exactly.
    """
    unordered = queryset.order_by()
    sql, params = unordered.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    estimate = int(plan[0]["Plan"]["Plan Rows"])
    if estimate < exact_below:
        return unordered.count(), True
    return estimate, False


# A page is found by sorting every matching row, rather than by walking the ordering index
# and skipping non-matching rows, when the walk would pass more rows than this.
WALK_LIMIT = 100_000


def sort_beats_walk(queryset: QuerySet, count: int, exact: bool, size: int) -> bool:
    """Whether to find a page of ``size`` among ``count`` matching rows by sorting them all:
    when the matches are so rare that walking the ordering index would pass more than
    WALK_LIMIT rows of the table (a search that finds nothing walks all of it). Only with an
    exact count: an estimate can be off by orders of magnitude."""
    if not exact:
        return False
    if count == 0:
        return True
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            "SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = %s::regclass",
            [queryset.model._meta.db_table],
        )
        row = cursor.fetchone()
    table_rows = row[0] if row else 0
    return size * table_rows / count > WALK_LIMIT


class BadCursor(ValueError):
    """A page link that does not decode."""


def keyset_page(
    queryset: QuerySet,
    *,
    field: str,
    descending: bool,
    size: int,
    after: str | None = None,
    before: str | None = None,
    few: bool = False,
):
    """One page ordered by (field, id), after or before a cursor 'value|id' (keyset pagination).

    Unlike OFFSET, the database seeks straight to the cursor on the (field, id) index, so
    page 1,000 costs what page 1 does, and ties in ``field`` are broken by id, so pages
    never skip or repeat rows. Returns (rows, next_cursor, previous_cursor); None where
    there is no such page. ``few``: the caller knows that few rows match (an exact count
    under ten thousand, say): they are sorted, rather than read in index order.
    """
    backwards = bool(before) and not after
    cursor = before if backwards else after
    # Walking backwards is walking forwards in the opposite order, then reversing.
    forward_desc = descending != backwards
    if few:
        # Few rows match: find them all (through whatever index filters best) and sort
        # them, rather than walk the ordering index past a million rows that do not match.
        # COALESCE(x, x) is x, but no index is ordered by it.
        key = Coalesce(F(field), F(field))
        queryset = queryset.order_by(
            key.desc() if forward_desc else key.asc(),
            F("id").desc() if forward_desc else F("id").asc(),
        )
    else:
        sign = "-" if forward_desc else ""
        queryset = queryset.order_by(f"{sign}{field}", f"{sign}id")
    if cursor:
        value, pk = _decode(queryset, field, cursor)
        # A row comparison, (field, id) < (value, pk): one seek on the (field, id) index.
        queryset = queryset.alias(_keyset=Row(F(field), F("id"))).filter(
            **{f"_keyset__{'lt' if forward_desc else 'gt'}": Row(Value(value), Value(pk))}
        )
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
        next_cursor = _encode(rows[-1], field) if rows else None
        previous_cursor = _encode(rows[0], field) if more and rows else None
    else:
        next_cursor = _encode(rows[-1], field) if more and rows else None
        previous_cursor = _encode(rows[0], field) if cursor and rows else None
    return rows, next_cursor, previous_cursor


def _decode(queryset: QuerySet, field: str, cursor: str):
    try:
        raw_value, raw_id = cursor.rsplit("|", 1)
        return queryset.model._meta.get_field(field).to_python(raw_value), int(raw_id)
    except (ValueError, TypeError, ValidationError) as exc:
        raise BadCursor(cursor) from exc


def _encode(row, field: str) -> str:
    """The cursor of a row: a model instance or a dict from ``values()``."""
    value, pk = (row[field], row["id"]) if isinstance(row, dict) else (getattr(row, field), row.pk)
    return f"{value.isoformat() if hasattr(value, 'isoformat') else value}|{pk}"
