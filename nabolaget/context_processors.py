from django.conf import settings


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
