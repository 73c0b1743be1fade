from django import forms
from django.utils.translation import gettext_lazy as _


class PointLookupForm(forms.Form):
    """Find the areas under a place without the map: latitude and longitude in WGS 84."""

    lat = forms.FloatField(
        label=_("Latitude"),
        min_value=-90,
        max_value=90,
        help_text=_("Degrees north, e.g. 67.28"),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    lon = forms.FloatField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        help_text=_("Degrees east, e.g. 14.40"),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
