"""Public pages about areas: the municipality map with its area list, and one area."""

from django.conf import settings
from django.contrib.gis.geos import Point
from django.shortcuts import get_object_or_404, render

from areas.forms import PointLookupForm
from areas.models import Area, Municipality
from priorities.models import Priority


def home(request):
    """The demo (or only) municipality's page."""
    municipality = (
        Municipality.objects.filter(code=settings.NABOLAGET_DEMO_MUNICIPALITY).first()
        or Municipality.objects.with_areas().first()
    )
    if municipality is None:
        return render(request, "areas/empty.html")
    return municipality_detail(request, municipality.code)


def municipality_detail(request, code: str):
    """A municipality's map, its areas as a list, and the areas under a chosen point."""
    municipality = get_object_or_404(Municipality, code=code)
    areas = (
        Area.objects.in_force()
        .in_municipality(code)
        .select_related("type")
        .order_by("type__slug", "name")
        .defer("geom")
    )
    asked = "lat" in request.GET or "lon" in request.GET
    form = PointLookupForm(request.GET if asked else None)
    found = None
    status = 400 if asked and not form.is_valid() else 200
    if asked and form.is_valid():
        point = Point(form.cleaned_data["lon"], form.cleaned_data["lat"], srid=4326)
        found = list(Area.objects.covering(point).select_related("type").defer("geom"))
    return render(
        request,
        "areas/municipality.html",
        {
            "municipality": municipality,
            "areas": areas,
            "form": form,
            "found": found,
            "latest": Priority.public_objects.in_municipality(code)
            .select_related("category")
            .order_by("-created_at")[:5],
        },
        status=status,
    )


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
