"""Small geometry helpers shared by the apps."""

from __future__ import annotations

from django.contrib.gis.geos import MultiPoint, Point, Polygon

from areas.models import STORAGE_SRID

EDGE_STEPS = 32


def storage_extent(bbox: Polygon, *, margin: float = 1.0) -> tuple[float, float, float, float]:
    """The extent in the storage SRID of a WGS 84 bounding box.

    A lon/lat box is not a rectangle in UTM: its south and north edges (parallels) bow,
    so transforming only the corners would cut a sliver off. The edges are sampled.
    """
    west, south, east, north = bbox.extent
    samples = [
        Point(west + (east - west) * i / EDGE_STEPS, y, srid=4326)
        for i in range(EDGE_STEPS + 1)
        for y in (south, north)
    ]
    xmin, ymin, xmax, ymax = (
        MultiPoint(samples, srid=4326).transform(STORAGE_SRID, clone=True).extent
    )
    return xmin - margin, ymin - margin, xmax + margin, ymax + margin
