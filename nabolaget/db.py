"""Database helpers shared by the apps."""

from __future__ import annotations

from django.db import connections
from django.db.models import QuerySet


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
