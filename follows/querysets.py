"""Reads on follows and announcements: which follows an announcement reaches, and what a
feed lists. The geometry is PostGIS's, in SQL, on the areas' indexed geometries."""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.db import connection, models
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

# Two areas "overlap" when their interiors meet (DE-9IM ``T********``): an area and its
# neighbour sharing only a boundary do not, a school district and a hamlet inside it do.
# The bounding-box test (&&) first lets PostgreSQL use the areas' GiST index.
OVERLAP = (
    "({a}.id = {b}.id OR ({a}.geom && {b}.geom AND ST_Relate({a}.geom, {b}.geom, 'T********')))"
)


class AnnouncementQuerySet(models.QuerySet):
    def in_municipality(self, municipality) -> AnnouncementQuerySet:
        """Announcements made in the municipality."""
        return self.filter(municipality=municipality)

    def in_area(self, area) -> AnnouncementQuerySet:
        """Announcements in the area: those in one of its municipality's areas that overlap
        it (or in the area itself), and those made for the whole municipality (no areas)."""
        table = self.model._meta.db_table
        through = self.model.areas.through._meta.db_table
        # Raw SQL: a correlated EXISTS with ST_Relate and a DE-9IM pattern, which GeoDjango's
        # lookups cannot take an outer reference in. Only the models' own table names are
        # formatted in; the area's id is a parameter.
        reached = RawSQL(  # noqa: S611
            f"""NOT EXISTS (SELECT 1 FROM {through} x WHERE x.announcement_id = {table}.id)
            OR EXISTS (SELECT 1 FROM {through} x JOIN areas_area aa ON aa.id = x.area_id
                       JOIN areas_area fa ON fa.id = %s
                       WHERE x.announcement_id = {table}.id AND {OVERLAP.format(a="aa", b="fa")})""",
            [area.pk],
            output_field=BooleanField(),
        )
        return (
            self.filter(municipality_id=area.municipality_id)
            .alias(reached=reached)
            .filter(reached=True)
        )


class FollowQuerySet(models.QuerySet):
    def of(self, user) -> FollowQuerySet:
        """The account's follows, the municipality's first, then by area name."""
        return (
            self.filter(user=user)
            .select_related("municipality", "area__type")
            .order_by("municipality__code", models.F("area__name").asc(nulls_first=True))
        )

    def in_municipality(self, municipality) -> FollowQuerySet:
        """Follows of the municipality as a whole or of one of its areas."""
        return self.filter(municipality=municipality)

    def of_area(self, area) -> FollowQuerySet:
        """Follows of exactly this area."""
        return self.filter(Q(area=area))


class Due(NamedTuple):
    """One recipient of a delivery: the account, the announcements it gets, and the follows
    that brought them (what the e-mail's unsubscribe link ends)."""

    user_id: int
    announcement_ids: list[int]
    follow_ids: list[int]


# Raw SQL: which accounts' follows reach which announcements, one row per account, a batch at
# a time (keyset on the account's id), leaving out those already sent this e-mail (the
# notification's key). The announcements' areas are matched against all the areas of the
# municipality once (``hit``), so the number of followers does not multiply the geometry
# work; then each follow is an index look-up. One statement per batch, however big.
DUE_SQL = """
WITH ann AS (
    SELECT a.id, a.topic, a.municipality_id,
           NOT EXISTS (SELECT 1 FROM follows_announcement_areas x
                        WHERE x.announcement_id = a.id) AS everywhere
      FROM follows_announcement a
     WHERE {announcements}
), hit AS (
    SELECT DISTINCT x.announcement_id, fa.id AS area_id
      FROM ann
      JOIN follows_announcement_areas x ON x.announcement_id = ann.id
      JOIN areas_area aa ON aa.id = x.area_id
      JOIN areas_area fa ON fa.municipality_id = ann.municipality_id AND {overlap}
)
SELECT f.user_id, array_agg(DISTINCT ann.id ORDER BY ann.id), array_agg(DISTINCT f.id ORDER BY f.id)
  FROM follows_follow f
  JOIN ann ON ann.municipality_id = f.municipality_id AND ann.topic = ANY(f.topics)
 WHERE f.frequency = %(frequency)s
   AND f.user_id > %(after)s
   AND (f.area_id IS NULL OR ann.everywhere
        OR EXISTS (SELECT 1 FROM hit WHERE hit.announcement_id = ann.id
                                       AND hit.area_id = f.area_id))
   AND NOT EXISTS (SELECT 1 FROM accounts_notification n
                    WHERE n.user_id = f.user_id AND n.key = %(key)s)
 GROUP BY f.user_id
 ORDER BY f.user_id
 LIMIT %(limit)s
"""


def due_for_announcement(
    announcement_ids: list[int], *, key: str, after: int = 0, limit: int = 500
) -> list[Due]:
    """The next batch of accounts whose immediate follows reach the announcements and that
    were not sent ``key`` yet, after the account ``after``."""
    return _due(
        "a.id = ANY(%(announcements)s)",
        {"announcements": list(announcement_ids), "frequency": "immediate"},
        key=key,
        after=after,
        limit=limit,
    )


def due_for_period(
    frequency: str,
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    key: str,
    after: int = 0,
    limit: int = 500,
) -> list[Due]:
    """The next batch of accounts whose ``frequency`` follows reach announcements made in
    [start, end) and that were not sent ``key`` (the period's digest) yet."""
    return _due(
        "a.created_at >= %(start)s AND a.created_at < %(end)s",
        {"start": start, "end": end, "frequency": frequency},
        key=key,
        after=after,
        limit=limit,
    )


def _due(where: str, params: dict, *, key: str, after: int, limit: int) -> list[Due]:
    sql = DUE_SQL.format(announcements=where, overlap=OVERLAP.format(a="aa", b="fa"))
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "key": key, "after": after, "limit": limit})
        return [Due(*row) for row in cursor.fetchall()]
