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


# Below this many matching rows a page is found by sorting them all (see keyset_page).
FEW_ROWS = 10_000


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
