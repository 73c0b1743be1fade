"""Database helpers shared by the apps."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Q, QuerySet


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


class BadCursor(ValueError):
    """A page link that does not decode."""


def keyset_page(queryset: QuerySet, *, field: str, descending: bool, after: str | None, size: int):
    """One page ordered by (field, id), starting after a cursor 'value|id' (keyset pagination).

    Unlike OFFSET, the database seeks straight to the cursor on the (field, id) index, so
    page 1,000 costs what page 1 does. Returns (rows, next_cursor or None).
    """
    sign = "-" if descending else ""
    queryset = queryset.order_by(f"{sign}{field}", f"{sign}id")
    if after:
        try:
            raw_value, raw_id = after.rsplit("|", 1)
            pk = int(raw_id)
            value = queryset.model._meta.get_field(field).to_python(raw_value)
        except (ValueError, TypeError, ValidationError) as exc:
            raise BadCursor(after) from exc
        before = "lt" if descending else "gt"
        queryset = queryset.filter(
            Q(**{f"{field}__{before}": value}) | Q(**{field: value, f"id__{before}": pk})
        )
    rows = list(queryset[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        value = getattr(last, field)
        next_cursor = f"{value.isoformat() if hasattr(value, 'isoformat') else value}|{last.pk}"
    return rows, next_cursor
