"""Areas of the demo municipality to follow, and announcements made through the service."""

from __future__ import annotations

from areas.models import Area, Municipality
from follows import services
from follows.models import Topic


def bodo() -> Municipality:
    return Municipality.objects.get(code="1804")


def area(code: str) -> Area:
    """A demo area in force by its code (e.g. ``1804-SK01``, ``1804-G07``)."""
    return Area.objects.in_force().get(code=code)


def school_and_hamlets() -> tuple[Area, Area, Area]:
    """A school district, a hamlet whose interior meets it, and a hamlet whose interior does
    not (found by PostGIS, so the test does not rely on the demo's seed points)."""
    school = area("1804-SK01")
    hamlets = Area.objects.in_force().of_type("grend").in_municipality("1804")
    inside = next(h for h in hamlets if h.geom.relate_pattern(school.geom, "T********"))
    outside = next(h for h in hamlets if not h.geom.intersects(school.geom))
    return school, inside, outside


def announce(
    key: str = "test:1", *, areas=(), topic: str = Topic.HEARING, title="Høring om skolevei"
):
    """An announcement as the apps make it."""
    return services.announce(
        key=key,
        municipality=bodo(),
        areas=list(areas),
        topic=topic,
        title=title,
        url="/cases/1/",
        summary="Si din mening innen 1. februar.",
    )
