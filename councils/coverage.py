"""Which areas have a local council: per area of one type in a municipality, the councils
there (of which kind), and when each last filed a statement and an annual report.

A council is "there" when one of the areas it speaks for is the area or overlaps it (their
interiors meet, in PostGIS: a hamlet's council is there in the school district the hamlet
lies in). Councils for the whole municipality (a youth council) are there everywhere and
fill no gap: they are listed apart (``whole_municipality``). Councils have no end date in the model: every registered council counts as
active, and its last filings show whether it still is."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from areas.models import Area
from councils.models import Council, CouncilKind, SubmissionKind

# Raw SQL: one statement for the whole table. The councils' last filings are aggregated
# once per council (FILTER), the areas' overlaps are tested in PostGIS with the GiST index
# (&& first), and the areas without a council come through the LEFT JOIN; nothing is
# computed per area in Python.
COVERAGE_SQL = """
WITH chosen AS (
    SELECT a.id, a.name, a.code, a.geom
      FROM areas_area a
     WHERE a.municipality_id = %(municipality)s AND a.type_id = %(type)s
       AND (a.valid_from IS NULL OR a.valid_from <= %(today)s)
       AND (a.valid_to IS NULL OR a.valid_to > %(today)s)
), filed AS (
    SELECT c.id, c.name, c.kind_id, c.is_formal,
           max(s.created_at) FILTER (WHERE s.kind = %(statement)s) AS last_statement,
           max(s.created_at) FILTER (WHERE s.kind = %(annual_report)s) AS last_report
      FROM councils_council c
      LEFT JOIN councils_submission s ON s.council_id = c.id AND s.withdrawn_at IS NULL
     WHERE c.municipality_id = %(municipality)s
     GROUP BY c.id
), there AS (
    SELECT DISTINCT chosen.id AS area_id, ca.council_id
      FROM councils_council_areas ca
      JOIN filed ON filed.id = ca.council_id
      JOIN areas_area spoken ON spoken.id = ca.area_id
      JOIN areas_areatype spoken_type ON spoken_type.id = spoken.type_id
                                     AND spoken_type.slug <> 'kommune'
      JOIN chosen ON spoken.id = chosen.id
                  OR (spoken.geom && chosen.geom
                      AND ST_Relate(spoken.geom, chosen.geom, 'T********'))
)
SELECT chosen.id, chosen.name, chosen.code,
       filed.id, filed.name, filed.kind_id, filed.is_formal,
       filed.last_statement, filed.last_report
  FROM chosen
  LEFT JOIN there ON there.area_id = chosen.id
  LEFT JOIN filed ON filed.id = there.council_id
 ORDER BY chosen.name, chosen.code, chosen.id, filed.name
"""


@dataclass
class CouncilThere:
    id: int
    name: str
    kind: str
    is_formal: bool
    last_statement: datetime.datetime | None
    last_report: datetime.datetime | None


@dataclass
class AreaCoverage:
    id: int
    name: str
    code: str
    councils: list[CouncilThere] = field(default_factory=list)


def coverage(municipality, area_type) -> list[AreaCoverage]:
    """Every area in force of the type in the municipality, with the councils there."""
    with connection.cursor() as cursor:
        cursor.execute(
            COVERAGE_SQL,
            {
                "municipality": municipality.pk,
                "type": area_type.pk,
                "today": timezone.localdate(),
                "statement": SubmissionKind.STATEMENT,
                "annual_report": SubmissionKind.ANNUAL_REPORT,
            },
        )
        rows = cursor.fetchall()
    kinds = CouncilKind.objects.in_bulk({row[5] for row in rows if row[5] is not None})
    areas: dict[int, AreaCoverage] = {}
    for area_id, name, code, council_id, council, kind_id, formal, statement, report in rows:
        area = areas.setdefault(area_id, AreaCoverage(area_id, name, code))
        if council_id is not None:
            area.councils.append(
                CouncilThere(council_id, council, kinds[kind_id].name, formal, statement, report)
            )
    return list(areas.values())


def whole_municipality(municipality):
    """The councils that speak for the whole municipality (its own boundary)."""
    return (
        Council.objects.filter(municipality=municipality, areas__type__slug="kommune")
        .select_related("kind")
        .distinct()
        .order_by("name")
    )


def area_types_of(municipality):
    """The area types the municipality has areas of in force (not the municipality itself)."""
    return (
        Area.objects.in_force()
        .filter(municipality=municipality)
        .exclude(type__slug="kommune")
        .values_list("type", flat=True)
        .distinct()
    )
