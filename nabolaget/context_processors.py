from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from areas.models import Municipality


def site(request):
    """Values every page needs: the data attribution line and the staff roles for the menu."""
    roles = set()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        roles = {role for role, _ in user._grants()}
    return {"data_attribution": settings.NABOLAGET_DATA_ATTRIBUTION, "staff_roles": roles}


def basemap(request):
    """The background map's tile address and attribution, which every page with a map reads
    from its map element's data attributes."""
    return {
        "basemap_url": settings.NABOLAGET_BASEMAP_URL,
        "basemap_attribution": settings.NABOLAGET_BASEMAP_ATTRIBUTION,
    }


def look(municipality: Municipality | None) -> dict:
    """A municipality's look for a page, an e-mail or a PDF: its name, and the addresses of its
    coat of arms and accent colour (each with a version, so a new one is fetched at once)."""
    if municipality is None:
        return {}
    code = municipality.code
    return {
        "name": municipality.name,
        "emblem_url": (
            reverse("areas:emblem", args=[code]) + f"?v={municipality.emblem.name[-20:-4]}"
            if municipality.emblem
            else ""
        ),
        "css_url": (
            reverse("areas:identity_css", args=[code]) + f"?v={municipality.accent_colour[1:]}"
            if municipality.accent_colour
            else ""
        ),
        "accent_colour": municipality.accent_colour,
    }


def identity(request):
    """The site's municipality (NABOLAGET_DEMO_MUNICIPALITY) and its look, for the header;
    read when a page uses it."""
    return {
        "site_look": SimpleLazyObject(
            lambda: look(
                Municipality.objects.filter(code=settings.NABOLAGET_DEMO_MUNICIPALITY)
                .only("code", "name", "emblem", "accent_colour")
                .first()
            )
        )
    }
