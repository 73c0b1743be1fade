from django.conf import settings


def site(request):
    """Values every page needs: the data attribution line."""
    return {"data_attribution": settings.NABOLAGET_DATA_ATTRIBUTION}
