"""Public pages about areas: one area, its facts, map and sub-areas; a municipality's look."""

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from areas.models import Area, Municipality
from core.identity import HEX_COLOUR


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


def municipality_emblem(request, code: str):
    """The municipality's coat of arms: our own PNG (core.identity), never the upload."""
    municipality = get_object_or_404(Municipality, code=code)
    if not municipality.emblem:
        raise Http404
    try:
        handle = municipality.emblem.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    # The file's name changes with each upload, and the pages name it (see identity()).
    response["Cache-Control"] = "public, max-age=86400"
    return response


def municipality_identity_css(request, code: str):
    """The municipality's accent colour as a stylesheet (the pages allow no inline style)."""
    municipality = get_object_or_404(Municipality, code=code)
    css = ""
    if HEX_COLOUR.fullmatch(municipality.accent_colour or ""):
        css = f":root {{ --brand: {municipality.accent_colour}; }}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
