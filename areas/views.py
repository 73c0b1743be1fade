"""Public pages about areas: one area, its facts, map and sub-areas."""

from django.shortcuts import get_object_or_404, render

from areas.models import Area


def area_detail(request, pk: int):
    """One area: its facts, its map, and its sub-areas."""
    area = get_object_or_404(Area.objects.select_related("type", "municipality", "parent"), pk=pk)
    children = area.children.in_force().select_related("type").defer("geom").order_by("name")
    return render(
        request,
        "areas/area_detail.html",
        {
            "area": area,
            "children": children,
        },
    )
