"""Writes on areas that more than one caller needs."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, transaction

from areas.models import Area, AreaSubdivision
from areas.signals import areas_changed

# Largest piece that ST_Subdivide may leave; MapIt and PostGIS's docs suggest about 256.
SUBDIVIDE_MAX_VERTICES = 255


@transaction.atomic
def area_subdivide(*, area_ids: Sequence[int]) -> None:
    """Rebuild the subdivided lookup copies of these areas from their current geometry."""
    if not area_ids:
        return
    # Raw SQL: ST_Subdivide returns a set of rows, which the ORM cannot insert from.
    pieces = AreaSubdivision._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {pieces} WHERE area_id = ANY(%s)", [list(area_ids)])
        cursor.execute(
            f"INSERT INTO {pieces} (area_id, geom) "
            f"SELECT id, ST_Subdivide(geom, %s) FROM {Area._meta.db_table} WHERE id = ANY(%s)",
            [SUBDIVIDE_MAX_VERTICES, list(area_ids)],
        )


@transaction.atomic
def area_geometry_changed(*, area: Area) -> None:
    """After an area's boundary was edited by hand (the admin): rebuild its lookup pieces
    and re-assign the input pinned in or linked to it, as a re-import does (the rollups
    follow the links)."""
    area_subdivide(area_ids=[area.pk])
    areas_changed.send(sender=Area, area_ids=[area.pk], area_type_id=area.type_id)
