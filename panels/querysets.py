"""Reads and set-based updates on panels and their register. Each method filters ``self``.

The register's placement (``RegisterPersonQuerySet.locate_addresses``, ``mark_inside``,
``place_in_areas``) is one UPDATE each over the whole extract, in PostGIS on the indexed
subdivided copies of the areas (areas.AreaSubdivision), never a query per person.
"""

from __future__ import annotations

import datetime

from django.db import connection, models
from django.db.models import Count, Q
from django.utils import timezone

from areas.models import Address, Area, AreaSubdivision, AreaType


def _table(model) -> str:
    """The model's table, quoted (the register's tables are in their own schema)."""
    return connection.ops.quote_name(model._meta.db_table)


class PanelQuerySet(models.QuerySet):
    def with_counts(self) -> PanelQuerySet:
        """Annotate the volunteers, members and alternates of each panel."""
        return self.annotate(
            volunteer_count=Count("volunteers", distinct=True),
            member_count=Count(
                "volunteers", filter=Q(volunteers__status="selected"), distinct=True
            ),
        )

    def register_due(self, now: datetime.datetime | None = None) -> PanelQuerySet:
        """Closed panels whose register's retention days after closing have passed."""
        now = now or timezone.now()
        return self.filter(
            status="closed",
            closed_at__isnull=False,
            closed_at__lte=now - models.F("retention_days") * datetime.timedelta(days=1),
        )


class RegisterPersonQuerySet(models.QuerySet):
    def of_panel(self, panel) -> RegisterPersonQuerySet:
        """The register extract of one panel."""
        return self.filter(panel=panel)

    def eligible(self, panel, year: int) -> RegisterPersonQuerySet:
        """People of the panel's extract at least its minimum age this year, placed inside
        the municipality."""
        return self.filter(panel=panel, inside=True, birth_year__lte=year - panel.minimum_age)

    def bad_places(self, panel) -> RegisterPersonQuerySet:
        """People whose address was not found or whose place lies outside the municipality."""
        return self.filter(panel=panel).filter(Q(point__isnull=True) | Q(inside=False))

    # The updates below run as raw SQL: one UPDATE each whose value is a correlated
    # subquery on the indexed areas (a per-row index probe whatever the freshly loaded
    # table's statistics say), which the ORM's update() cannot express. Only the models'
    # own table names are formatted in; every value is a parameter.

    def locate_addresses(self, panel) -> int:
        """Place the people given by address at the address of the municipality's address
        list with that text (case ignored; the postcode too where the row has one)."""
        person, address = _table(self.model), _table(Address)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""UPDATE {person} p SET point = (
                      SELECT a.point FROM {address} a
                       WHERE upper(a.text) = upper(p.address) AND a.municipality_id = %s
                         AND (p.postcode = '' OR a.postcode = p.postcode)
                       ORDER BY a.id LIMIT 1)
                    WHERE p.panel_id = %s AND p.point IS NULL AND p.address <> ''""",
                [panel.case.municipality_id, panel.pk],
            )
            return cursor.rowcount

    def mark_inside(self, panel, on: datetime.date | None = None) -> int:
        """Mark the people whose place lies in the municipality (its kommune area in force,
        or any of its areas where it has none of that type)."""
        person, area, piece = _table(self.model), _table(Area), _table(AreaSubdivision)
        on = on or timezone.localdate()
        kommune = Area.objects.in_force(on).filter(
            municipality_id=panel.case.municipality_id, type__slug="kommune"
        )
        type_clause = "AND t.slug = 'kommune'" if kommune.exists() else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"""UPDATE {person} p SET inside = EXISTS (
                       SELECT 1 FROM {piece} s JOIN {area} a ON a.id = s.area_id
                         JOIN {_table(AreaType)} t ON t.id = a.type_id
                        WHERE a.municipality_id = %s {type_clause}
                          AND (a.valid_from IS NULL OR a.valid_from <= %s)
                          AND (a.valid_to IS NULL OR a.valid_to > %s)
                          AND ST_Covers(s.geom, p.point) LIMIT 1)
                     WHERE p.panel_id = %s AND p.point IS NOT NULL""",
                [panel.case.municipality_id, on, on, panel.pk],
            )
            return cursor.rowcount

    def place_in_areas(self, panel, on: datetime.date | None = None) -> int:
        """Set each person's area of the panel's area type, with the point lookup's border
        rule (areas.querysets.AreaQuerySet.covering: the lowest code wins)."""
        if panel.area_type_id is None:
            return 0
        person, area, piece = _table(self.model), _table(Area), _table(AreaSubdivision)
        on = on or timezone.localdate()
        # One statement; for each person the covering pieces are found through their GiST
        # index (a correlated subquery: its plan does not depend on the freshly loaded
        # table's statistics, which the web role may not ANALYZE).
        with connection.cursor() as cursor:
            cursor.execute(
                f"""UPDATE {person} p SET area_id = (
                      SELECT a.id FROM {piece} s JOIN {area} a ON a.id = s.area_id
                       WHERE ST_Covers(s.geom, p.point) AND a.type_id = %s
                         AND a.municipality_id = %s
                         AND (a.valid_from IS NULL OR a.valid_from <= %s)
                         AND (a.valid_to IS NULL OR a.valid_to > %s)
                       ORDER BY a.code, a.id LIMIT 1)
                    WHERE p.panel_id = %s AND p.inside""",
                [panel.area_type_id, panel.case.municipality_id, on, on, panel.pk],
            )
            return cursor.rowcount


class VolunteerQuerySet(models.QuerySet):
    def of_panel(self, panel) -> VolunteerQuerySet:
        """The panel's volunteers who have not withdrawn."""
        return self.filter(panel=panel).exclude(status="withdrawn")

    def members(self) -> VolunteerQuerySet:
        """The members chosen."""
        return self.filter(status="selected")

    def alternates(self) -> VolunteerQuerySet:
        """The alternates, in their order."""
        return self.filter(status="alternate").order_by("alternate_rank")
