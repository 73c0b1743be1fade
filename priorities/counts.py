"""Where a count of priorities comes from: the rollup tables or the rows.

The per-area rollup (``PriorityAreaStat``, ``PriorityAnswerDays``, ``PriorityAreaMonth``,
``PriorityUnansweredDay``; see :mod:`priorities.rollups`) holds counts per municipality,
area, category and status. A count can be read from it only when the question is one of
those keys; any other condition (words, a bounding box, dates, support, a case) means
counting the rows. This module is the one place that decides, for the planner and the
API's counts (:class:`PriorityCounts`) and for the case and area digests
(:func:`digest_scope`). A scope is the keyword arguments of the rollup querysets'
``matching``; None means "count the rows".
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence

from django.db.models import Q
from django.utils import timezone

from areas.models import Area, Municipality
from core.db import estimate_count
from priorities.models import Category, PriorityAnswerDays, PriorityAreaStat
from priorities.querysets import PriorityQuerySet

# The filters the per-area rollup answers; any other filter in use means counting rows.
ROLLUP_FILTERS = frozenset({"municipality", "area", "category", "status", "answered"})


def filter_scope(filters: Mapping[str, object], area: Area | None = None) -> dict | None:
    """The rollup rows that hold exactly the counts of the priorities these filters
    (cleaned values by filter name) select in ``area``'s tree, or None."""
    if any(
        value not in (None, "") for name, value in filters.items() if name not in ROLLUP_FILTERS
    ):
        return None
    if area is None and filters.get("area") is not None:
        area = Area.objects.filter(pk=filters["area"]).defer("geom").first()
    municipality_id = area.municipality_id if area is not None else None
    if filters.get("municipality"):
        chosen = Municipality.objects.filter(code=filters["municipality"]).first()
        if chosen is None or municipality_id not in (None, chosen.pk):
            return None
        municipality_id = chosen.pk
    if municipality_id is None or (area is not None and not area.tree_within()):
        return None
    category_ids = None
    if filters.get("category"):
        # The rows match the slug in the default category and in the municipality's
        # own of the same slug; other municipalities' hold none of its priorities.
        category_ids = list(
            Category.objects.filter(
                Q(municipality__isnull=True) | Q(municipality_id=municipality_id),
                slug=filters["category"],
            ).values_list("pk", flat=True)
        )
    return {
        "municipality_id": municipality_id,
        "area_ids": None if area is None else [area.pk],
        "category_ids": category_ids,
        "status": filters.get("status") or None,
    }


def digest_scope(
    areas: Sequence[Area], since: datetime.date | None, until: datetime.date
) -> dict | None:
    """The rollup rows that give a digest of these areas from ``since`` to ``until``
    exactly, or None.

    Summing per-area rollup rows counts a priority once only when no two of the areas
    can hold it: areas of one type (a priority lies in one area per type) in one
    municipality. The rollup has no days, so the period must be all of it.
    """
    if not areas or since is not None or until < timezone.localdate():
        return None
    if len({(a.type_id, a.municipality_id) for a in areas}) != 1 or not areas[0].municipality_id:
        return None
    return {"municipality_id": areas[0].municipality_id, "area_ids": [a.pk for a in areas]}


class PriorityCounts:
    """The counts of the priorities a filter selects: from the rollup when it holds them
    exactly, else from the rows. ``filters`` are the cleaned values by filter name;
    ``rows`` gives the priorities they select, asked for only when the rollup cannot
    answer (filtering may itself query, e.g. to look an area up)."""

    def __init__(self, filters: Mapping[str, object], rows: Callable[[], PriorityQuerySet]) -> None:
        self.filters = filters
        self._rows = rows
        self._scopes: dict[int | None, dict | None] = {}

    def scope(self, area: Area | None = None) -> dict | None:
        """:func:`filter_scope`, worked out once per area: a page asks for the count, the
        totals and the per-area rows."""
        key = None if area is None else area.pk
        if key not in self._scopes:
            self._scopes[key] = filter_scope(self.filters, area)
        scope = self._scopes[key]
        return None if scope is None else dict(scope)

    def _answered(self) -> bool | None:
        return self.filters.get("answered")

    def count(self) -> tuple[int, bool]:
        """How many priorities match, and whether exactly: from the rollup when it can
        tell, else counted when few or PostgreSQL's estimate (``estimate_count``)."""
        scope = self.scope()
        if scope is None:
            return estimate_count(self._rows())
        stats = PriorityAreaStat.objects.matching(**scope).answered(self._answered())
        return stats.totals()["count"], True

    def totals(self, area: Area | None = None) -> dict:
        """count, supports, answered and median_days (whole days to the first answer)."""
        scope = self.scope(area)
        if scope is None:
            rows = self._rows() if area is None else self._rows().in_area_tree(area)
            return rows.stats()
        totals = PriorityAreaStat.objects.matching(**scope).answered(self._answered()).totals()
        days = PriorityAnswerDays.objects.matching(**scope)
        totals["median_days"] = None if self._answered() is False else days.median()
        return totals

    def by_category_and_status(self, area: Area | None = None) -> list[dict]:
        """Rows of category__slug, status, count."""
        scope = self.scope(area)
        if scope is None:
            rows = self._rows() if area is None else self._rows().in_area_tree(area)
            return list(rows.by_category_and_status())
        stats = PriorityAreaStat.objects.matching(**scope).answered(self._answered())
        return list(stats.by_category_and_status())

    def per_area(self, area_type: str) -> list[dict]:
        """The totals per area of one type: rows of area_id, count, supports, answered,
        median_days."""
        scope = self.scope()
        if scope is not None and scope["area_ids"] is not None:
            # Filtered to one area: the rollup has its row when it is of the type asked for
            # (one area per type holds a priority, so no other area of the type has any).
            if not Area.objects.filter(pk__in=scope["area_ids"], type__slug=area_type).exists():
                scope = None
        else:
            scope = scope and {**scope, "area_type": area_type}
        if scope is None:
            return list(self._rows().stats_by_area(area_type))
        stats = PriorityAreaStat.objects.matching(**scope).answered(self._answered())
        medians = {}
        if self._answered() is not False:
            medians = PriorityAnswerDays.objects.matching(**scope).median_per_area()
        return [{**row, "median_days": medians.get(row["area_id"])} for row in stats.per_area()]
