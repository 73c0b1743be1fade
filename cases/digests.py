"""Per-area digests: what residents and local councils in some areas have said.

Every aggregate read of a digest is in this module, behind :func:`area_digest`
(and :func:`case_digest`, which calls it). The numbers come from the rollup tables when
:mod:`priorities.counts` says they hold them exactly, else from the rows. Input of every
other kind (``priorities.kinds``) is listed in sections of its own; the rows of every kind
with replies carry the elected members' replies to them (one query per kind).
The number of SQL queries does not depend on the number of areas, and a
priority lying in several of the areas (areas of different types overlap) is
counted once in the combined numbers.

The result is a plain JSON-serialisable dict: it is what a frozen digest stores.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import pghistory.models
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.validators import MinValueValidator
from django.db import connection, models
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language

from areas.models import STORAGE_SRID, Area
from cases import sections
from cases.models import Case, CaseArea, CaseAreaAdjustment
from priorities import kinds
from priorities.counts import digest_scope
from priorities.models import (
    MAP_CELL_LEVELS,
    Category,
    Priority,
    PriorityAnswerDays,
    PriorityAreaMonth,
    PriorityAreaStat,
    PriorityMapCell,
    PriorityUnansweredDay,
    Status,
)
from priorities.querysets import MedianDays
from priorities.rollups import ROLLUP_TIME_ZONE

TOP_PRIORITIES = 10
MAP_POINTS = 1000
# Above MAP_POINTS priorities the map shows the grid rollup's cells, at most about this many.
MAP_CELLS = 600
CLUSTER_COLOUR = "#1f5f8b"
CELLS_IN_AREAS_SQL = """
SELECT c.i FROM unnest(%(x)s::float8[], %(y)s::float8[]) WITH ORDINALITY AS c(x, y, i)
 WHERE EXISTS (SELECT 1 FROM areas_areasubdivision s
                WHERE s.area_id = ANY(%(areas)s)
                  AND ST_Covers(s.geom, ST_SetSRID(ST_MakePoint(c.x, c.y), %(srid)s)))
"""
MAX_TREND_MONTHS = 60
# The first day a digest's period may name: the trend reaches a year back from it, which
# from 0001-01-01 is before the first date there is (an OverflowError, a server error).
EARLIEST_DAY = datetime.date(1900, 1, 1)
PERIOD_VALIDATORS = [MinValueValidator(EARLIEST_DAY)]
# Above this many priorities in the areas, the most supported are found by walking the
# support index rather than by sorting them all.
MANY_PRIORITIES = 20_000
# Tolerance (metres) for the area outlines drawn in the digest's map.
MAP_SIMPLIFY_METRES = 50


class AsSVG(models.Func):
    """ST_AsSVG of a simplified geometry: an SVG path in the storage SRID (y negated)."""

    template = "ST_AsSVG(ST_SimplifyPreserveTopology(%(expressions)s, %(tolerance)s), 0, 0)"
    output_field = models.TextField()


def _geometry_bounds(prefix: str = "") -> dict:
    field = f"{prefix}geom"
    return {
        name: models.Func(F(field), function=function, output_field=models.FloatField())
        for name, function in (
            ("xmin", "ST_XMin"),
            ("ymin", "ST_YMin"),
            ("xmax", "ST_XMax"),
            ("ymax", "ST_YMax"),
        )
    }


def _answer_due(answer_days: int) -> datetime.date:
    """Input created before this day and still unanswered is older than the promised
    answer time (whole days, Norwegian time)."""
    return timezone.localdate() - datetime.timedelta(days=answer_days)


def _health(queryset, answer_days: int) -> dict:
    """The feedback loop's health for some input: how much is answered, and how fast."""
    due = _answer_due(answer_days)
    row = queryset.aggregate(
        count=Count("id"),
        answered=Count("id", filter=Q(first_answered_at__isnull=False)),
        median_days=MedianDays("created_at", "first_answered_at"),
        overdue=Count("id", filter=Q(first_answered_at__isnull=True, created_at__date__lt=due)),
    )
    count = row["count"]
    return {
        "count": count,
        "answered": row["answered"],
        "answered_share": round(row["answered"] / count, 3) if count else None,
        "median_days": round(row["median_days"], 1) if row["median_days"] is not None else None,
        "overdue": row["overdue"],
        "answer_days": answer_days,
    }


def _months(first: datetime.date, last: datetime.date) -> list[str]:
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month) and len(months) < MAX_TREND_MONTHS:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months[-MAX_TREND_MONTHS:]


def _input_sections(area_ids, since, until, answer_days: int, case=None) -> list[dict]:
    """Every kind of input besides priorities (``priorities.kinds``), as sections of the
    digest: those in the areas in the period, their answers' health, and (for a case's
    digest) those linked to the case, which are then not listed again among the others.
    A new kind of input is here as soon as it is registered."""
    sections = []
    for kind in kinds.all_kinds():
        if not kind.in_digest:
            continue
        records = kind.in_areas(area_ids).filter(created_at__date__lte=until)
        if since:
            records = records.filter(created_at__date__gte=since)
        linked = []
        if case is not None:
            linked = [
                kind.digest_row(record)
                for record in kind.linked_to(case.municipality_id, case.number)
                .select_related(*kind.select)
                .order_by("-created_at", "-id")
            ]
        on_case = {row["id"] for row in linked}
        rows = [
            kind.digest_row(record)
            for record in records.select_related(*kind.select).order_by("-created_at", "-id")
            if record.pk not in on_case
        ]
        groups = kind.digest_groups(rows) if kind.digest_groups else [(kind.label_plural, rows)]
        if on_case:  # what the case is told about counts, wherever it is
            records = kind.model._base_manager.filter(
                Q(pk__in=records.values("pk")) | Q(pk__in=on_case)
            )
        sections.append(
            {
                "kind": kind.key,
                "label": str(kind.label_plural),
                "count": len(rows) + len(linked),
                "health": _health(records, answer_days),
                "linked": linked,
                "groups": [{"title": str(title), "rows": group} for title, group in groups],
            }
        )
    return sections


def _attach_replies(rows_by_kind: dict[str, list[dict]]) -> None:
    """Give each digest row of a kind with replies (``priorities.kinds``) the elected
    members' public replies to it, each with the author's public answer back:
    ``row["replies"]``. One query per kind, whatever the number of rows."""
    for kind in kinds.with_replies():
        rows = rows_by_kind.get(kind.key) or []
        if not rows:
            continue
        replies = (
            kind.replies.objects.filter(
                record_id__in={row["id"] for row in rows}, visibility="public"
            )
            .filter(Q(parent__isnull=True) | Q(parent__visibility="public"))
            .order_by("created_at", "id")
            .values(
                "id",
                "record_id",
                "parent_id",
                "name",
                "party",
                "elected_body",
                "text",
                "created_at",
            )
        )
        by_record: dict[int, list[dict]] = {}
        answers: dict[int, str] = {}
        for reply in replies:
            if reply["parent_id"] is not None:
                answers[reply["parent_id"]] = reply["text"]
                continue
            by_record.setdefault(reply["record_id"], []).append(
                {
                    "id": reply["id"],
                    "by": ", ".join(
                        part
                        for part in (reply["name"], reply["party"], reply["elected_body"])
                        if part
                    ),
                    "text": reply["text"],
                    "created": timezone.localdate(reply["created_at"]).isoformat(),
                }
            )
        for reply_rows in by_record.values():
            for reply in reply_rows:
                reply["answer"] = answers.get(reply["id"], "")
        for row in rows:
            row["replies"] = by_record.get(row["id"], [])


def _rollup_numbers(scope: dict, answer_days: int) -> dict:
    """by_category rows, by_status counts, per-month and per-area counts and the health,
    from the rollup (a few grouped reads of small tables, whatever the number of areas)."""
    rows = PriorityAreaStat.objects.matching(**scope)
    by_category = [
        {"category": r["category_id"], "priorities": r["n"], "supports": r["s"]}
        for r in rows.values("category_id")
        .annotate(n=Sum("count"), s=Sum("supports"))
        .filter(n__gt=0)
        .order_by("-n", "category_id")
    ]
    by_status = {
        r["status"]: r["n"] for r in rows.values("status").annotate(n=Sum("count")).order_by()
    }
    per_month = {
        r["month"].strftime("%Y-%m"): r["count"]
        for r in PriorityAreaMonth.objects.matching(**scope).by_month()
    }
    per_area = {r["area_id"]: r for r in rows.per_area()}
    totals = rows.totals()
    overdue = PriorityUnansweredDay.objects.waiting_since_before(
        scope["municipality_id"], scope["area_ids"], _answer_due(answer_days)
    )
    median = PriorityAnswerDays.objects.matching(**scope).median()
    count = totals["count"]
    health = {
        "count": count,
        "answered": totals["answered"],
        "answered_share": round(totals["answered"] / count, 3) if count else None,
        "median_days": round(median, 1) if median is not None else None,
        "overdue": overdue,
        "answer_days": answer_days,
    }
    return {
        "by_category": by_category,
        "by_status": by_status,
        "per_month": per_month,
        "per_area": per_area,
        "health": health,
    }


def _most_supported(priorities, scope: dict | None, count: int, limit: int):
    """The priorities in the areas with most support, best first, as a queryset.

    Many priorities: walk the (municipality, support) index and keep those in the
    areas, which finds ``limit`` of them quickly. Few: find them all through the area
    links and sort them."""
    ordered = priorities.order_by("-support_count", "-id")
    if scope is None or count <= MANY_PRIORITIES:
        return ordered
    return ordered.filter(municipality_id=scope["municipality_id"])


def area_digest(
    area_ids: Sequence[int],
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    case=None,
) -> dict:
    """The digest of the input in these areas (combined), created from ``since`` up to and
    including ``until`` (today by default); with ``case``, the input linked to the case is
    listed apart (see ``case_digest``)."""
    until = until or timezone.localdate()
    area_ids = sorted(set(area_ids))
    areas = list(
        Area.objects.filter(pk__in=area_ids)
        .select_related("type", "municipality")
        .defer("geom")
        .annotate(
            svg=AsSVG("geom", tolerance=MAP_SIMPLIFY_METRES),
            **_geometry_bounds(),
        )
        .order_by("type__slug", "name")
    )
    answer_days = next(
        (a.municipality.answer_days for a in areas if a.municipality_id),
        30,
    )
    scope = digest_scope(areas, since, until)
    links = Priority.areas.through.objects.filter(area_id__in=area_ids)
    if scope is not None:
        # Many priorities: an EXISTS per row lets PostgreSQL walk an ordering index and
        # stop early; the rollup gives every count.
        priorities = Priority.public_objects.filter(
            Exists(links.filter(priority_id=OuterRef("pk")))
        )
        numbers = _rollup_numbers(scope, answer_days)
    else:
        priorities = Priority.public_objects.filter(
            id__in=links.values("priority_id")
        ).created_between(since, until)
        numbers = None
    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    by_category = numbers["by_category"] if numbers else []
    for row in (
        ()
        if numbers
        else priorities.values("category_id")
        .annotate(count=Count("id"), supports=Coalesce(Sum("support_count"), 0))
        .order_by("-count", "category_id")
    ):
        by_category.append(
            {
                "category": row["category_id"],
                "priorities": row["count"],
                "supports": row["supports"],
            }
        )
    categories = {
        c.pk: c for c in Category.objects.filter(pk__in=[r["category"] for r in by_category])
    }
    for row in by_category:
        category = categories[row["category"]]
        row.update(slug=category.slug, name=category.name, colour=category.colour)

    by_status_counts = (
        numbers["by_status"]
        if numbers
        else {
            row["status"]: row["count"]
            for row in priorities.values("status").annotate(count=Count("id")).order_by()
        }
    )
    count = numbers["health"]["count"] if numbers else None
    by_status = [
        {"status": value, "label": str(label), "count": by_status_counts.get(value, 0)}
        for value, label in Status.choices
        if value != Status.MERGED  # merged records count in the one they were merged into
    ]

    top = [
        {
            "id": p["id"],
            "reference": p["reference"],
            "title": p["title"],
            "category": categories[p["category_id"]].name,
            "status": p["status"],
            "status_label": str(Status(p["status"]).label),
            "supports": p["support_count"],
            "created": p["created_at"].date().isoformat(),
            "url": reverse("priorities:detail", args=[p["id"]]),
        }
        for p in _most_supported(priorities, scope, count, TOP_PRIORITIES).values(
            "id", "reference", "title", "category_id", "status", "support_count", "created_at"
        )[:TOP_PRIORITIES]
    ]

    zone = ZoneInfo(ROLLUP_TIME_ZONE)
    per_month = (
        numbers["per_month"]
        if numbers
        else {
            row["month"].strftime("%Y-%m"): row["count"]
            for row in priorities.annotate(month=TruncMonth("created_at", tzinfo=zone))
            .values("month")
            .annotate(count=Count("id"))
            .order_by()
        }
    )
    first = since or (
        datetime.date.fromisoformat(min(per_month) + "-01")
        if per_month
        else until.replace(day=1) - datetime.timedelta(days=335)
    )
    trend = [{"month": month, "count": per_month.get(month, 0)} for month in _months(first, until)]

    per_area_counts = (
        numbers["per_area"]
        if numbers
        else {
            row["areas"]: row
            for row in Priority.public_objects.created_between(since, until)
            .filter(areas__in=area_ids)
            .values("areas")
            .annotate(
                count=Count("id"),
                supports=Coalesce(Sum("support_count"), 0),
                answered=Count("id", filter=Q(first_answered_at__isnull=False)),
            )
            .order_by()
        }
    )
    per_area = [
        {
            "id": area.pk,
            "name": area.name,
            "type": area.type.name,
            "priorities": per_area_counts.get(area.pk, {}).get("count", 0),
            "supports": per_area_counts.get(area.pk, {}).get("supports", 0),
            "answered": per_area_counts.get(area.pk, {}).get("answered", 0),
        }
        for area in areas
    ]

    x, y = (
        models.Func(F("point"), function=name, output_field=models.FloatField())
        for name in ("ST_X", "ST_Y")
    )
    if scope is not None and count > MAP_POINTS:
        points = _map_clusters(scope, areas)
    else:
        points = [
            {
                "x": round(p["x"], 1),
                "y": round(p["y"], 1),
                "colour": categories[p["category_id"]].colour,
                "count": 1,
            }
            for p in _most_supported(
                priorities.annotate(x=x, y=y), scope, count, MAP_POINTS
            ).values("x", "y", "category_id")[:MAP_POINTS]
        ]
    health = numbers["health"] if numbers else _health(priorities, answer_days)
    totals = {
        "priorities": health["count"],
        "supports": sum(row["supports"] for row in by_category),
    }
    inputs = _input_sections(area_ids, since, until, answer_days, case)
    rows_by_kind = {"priority": top}
    for section in inputs:
        rows_by_kind[section["kind"]] = section["linked"] + [
            row for group in section["groups"] for row in group["rows"]
        ]
    _attach_replies(rows_by_kind)
    return {
        "language": language,
        "period": {"since": since.isoformat() if since else None, "until": until.isoformat()},
        "areas": [{"id": a.pk, "name": a.name, "code": a.code, "type": a.type.name} for a in areas],
        "totals": totals,
        "by_category": by_category,
        "by_status": by_status,
        "top": top,
        "trend": trend,
        "health": health,
        "inputs": inputs,
        "per_area": per_area,
        "map": _map(areas, points),
    }


def case_digest(case, since: datetime.date | None = None, until: datetime.date | None = None):
    """The digest over a case's affected areas, with the input linked to the case."""
    data = area_digest(list(case.areas.values_list("id", flat=True)), since, until, case)
    linked = (
        kinds.get("priority")
        .linked_to(case.municipality_id, case.number)
        .order_by("-support_count", "-id")
    )
    data["linked"] = [
        {
            "id": p.pk,
            "reference": p.reference,
            "title": p.title,
            "status": p.status,
            "status_label": str(p.get_status_display()),
            "supports": p.support_count,
            "url": p.get_absolute_url(),
        }
        for p in linked
    ]
    _attach_replies({"priority": data["linked"]})
    data["case"] = {"id": case.pk, "number": case.number, "title": case.title}
    # What the apps above add (a hearing's summary by theme), stored with the rest; no
    # key when there is none, so digests frozen before sections existed keep their
    # fingerprint.
    built = sections.build_all(case)
    if built:
        data["sections"] = built
    if case.geom is not None:
        shape = (
            Case.objects.filter(pk=case.pk)
            .annotate(svg=AsSVG("geom", tolerance=5), **_geometry_bounds())
            .values("svg", "xmin", "ymin", "xmax", "ymax")
            .get()
        )
        data["map"] = _map_with(data["map"], shape)
    return data


def _map_clusters(scope: dict, areas) -> list[dict]:
    """Many priorities: the map's grid rollup (PriorityMapCell) in the areas, one circle
    per cell whose centre lies in one of them, sized by how many it holds."""
    bounds = [(a.xmin, a.ymin, a.xmax, a.ymax) for a in areas if a.xmin is not None]
    if not bounds:
        return []
    extent = (
        min(b[0] for b in bounds),
        min(b[1] for b in bounds),
        max(b[2] for b in bounds),
        max(b[3] for b in bounds),
    )
    width, height = extent[2] - extent[0], extent[3] - extent[1]
    level = next(
        (size for size in MAP_CELL_LEVELS if (width / size) * (height / size) <= MAP_CELLS),
        MAP_CELL_LEVELS[-1],
    )
    cells = list(
        PriorityMapCell.objects.filter(municipality_id=scope["municipality_id"])
        .in_extent(level, extent)
        .clusters()
    )
    # Which cells lie in the areas (their centre does): one test per cell, not per row.
    with connection.cursor() as cursor:
        cursor.execute(
            CELLS_IN_AREAS_SQL,
            {
                "x": [(c["cx"] + 0.5) * level for c in cells],
                "y": [(c["cy"] + 0.5) * level for c in cells],
                "srid": STORAGE_SRID,
                "areas": list(scope["area_ids"]),
            },
        )
        inside = {i - 1 for (i,) in cursor.fetchall()}
    cells = [c for i, c in enumerate(cells) if i in inside]
    rows = [(row["sx"] / row["total"], row["sy"] / row["total"], row["total"]) for row in cells]
    most = max((n for _x, _y, n in rows), default=1)
    return [
        {
            "x": round(x, 1),
            "y": round(y, 1),
            "colour": CLUSTER_COLOUR,
            "count": n,
            "scale": round(max(0.5, 2.5 * (n / most) ** 0.5), 2),
        }
        for x, y, n in rows
    ]


def _map(areas, points) -> dict:
    bounds = [(a.xmin, a.ymin, a.xmax, a.ymax) for a in areas if a.xmin is not None]
    bounds += [(p["x"], p["y"], p["x"], p["y"]) for p in points]
    data = _with_viewbox(
        {
            "areas": [{"name": a.name, "path": a.svg} for a in areas if a.svg],
            "points": points,
            "count": sum(p.get("count", 1) for p in points),
            "case": None,
        },
        bounds,
    )
    for point in points:  # circle radius in map units: clusters are sized by count
        point["r"] = round(data["r"] * point.get("scale", 1), 1)
    return data


def _map_with(data: dict, shape: dict) -> dict:
    bounds = [tuple(data["bounds"])] if data.get("bounds") else []
    bounds.append((shape["xmin"], shape["ymin"], shape["xmax"], shape["ymax"]))
    return _with_viewbox({**data, "case": shape["svg"]}, bounds)


def _with_viewbox(data: dict, bounds: list[tuple]) -> dict:
    """The SVG view box around everything (y is negated, as ST_AsSVG writes it)."""
    if not bounds:
        return {**data, "bounds": None, "viewbox": "0 0 1 1", "r": 1, "stroke": 1}
    xmin = min(b[0] for b in bounds)
    ymin = min(b[1] for b in bounds)
    xmax = max(b[2] for b in bounds)
    ymax = max(b[3] for b in bounds)
    width, height = max(xmax - xmin, 100.0), max(ymax - ymin, 100.0)
    margin = max(width, height) * 0.03
    return {
        **data,
        "bounds": [xmin, ymin, xmax, ymax],
        "viewbox": f"{xmin - margin:.0f} {-ymax - margin:.0f} "
        f"{width + 2 * margin:.0f} {height + 2 * margin:.0f}",
        "r": round(max(width, height) / 100, 1),
        "stroke": round(max(width, height) / 600, 1),
    }


# Every change a digest can show leaves a row with a new, larger id in a history table
# (pghistory): of a case, its areas and their adjustments, and of every kind of input, its
# case links and its elected members' replies (supports and answers show through the
# input's own row).
CASE_HISTORY = (Case, CaseArea, CaseAreaAdjustment)


def input_state_tables() -> list[str]:
    """The history tables whose newest row ``input_state`` reads."""
    tracked = {*CASE_HISTORY}
    for kind in kinds.all_kinds():
        tracked |= {kind.model, kind.case_links}
        if kind.replies is not None:
            tracked.add(kind.replies)
    for section in sections.all_sections():
        tracked |= set(section.tracked)
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, pghistory.models.Event) and model.pgh_tracked_model in tracked
    )


LIVE_FINGERPRINT_SECONDS = 24 * 3600


def input_state() -> str:
    """A token that changes whenever anything a digest reads changes: the newest history
    row of each table and the latest area edit, in one query of index look-ups."""
    # Raw SQL: one statement of max() sub-selects over unrelated tables.
    newest = ", ".join(f"(SELECT max(pgh_id) FROM {table})" for table in input_state_tables())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {newest}, (SELECT max(updated_at) FROM areas_area)")
        return hashlib.sha256(repr(cursor.fetchone()).encode()).hexdigest()[:32]


def live_fingerprint(case, frozen) -> str:
    """The fingerprint of the case's live digest over a frozen digest's period and in its
    language, to tell whether the live one has moved on. The digest is built only when
    the input may have changed since it was last built (``input_state``) or the day
    changed (what is overdue depends on it); a page view otherwise costs one query."""
    key = ":".join(
        [
            "case-digest-fingerprint",
            str(case.pk),
            str(frozen.since),
            frozen.language,
            timezone.localdate().isoformat(),
            input_state(),
        ]
    )
    live = cache.get(key)
    if live is None:
        with translation.override(frozen.language):
            live = fingerprint(case_digest(case, frozen.since, None))
        cache.set(key, live, LIVE_FINGERPRINT_SECONDS)
    return live


def fingerprint(data: dict) -> str:
    """A hash of what a digest says, to tell whether the live digest has moved on.

    The period and the empty months of the trend are left out: a digest read a month
    later over the same input says the same."""
    said = {key: value for key, value in data.items() if key != "period"}
    said["trend"] = [row for row in data.get("trend", []) if row["count"]]
    text = json.dumps(said, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
