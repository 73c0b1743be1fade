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


class AreaImportForm(forms.Form):
    """The admin's upload: the same arguments as ``manage.py import_areas``."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("GeoJSON, GeoPackage, or a .zip with a Shapefile or GeoJSON."),
    )
    type_slug = forms.SlugField(
        label=_("Area type"), help_text=_("Created if new, e.g. skolekrets.")
    )
    code_field = forms.CharField(label=_("Code field"), max_length=100)
    name_field = forms.CharField(label=_("Name field"), max_length=100)
    layer = forms.CharField(label=_("Layer"), required=False, max_length=200)
    municipality = forms.RegexField(
        label=_("Municipality number"),
        regex=r"^\d{4}$",
        required=False,
        error_messages={
            "invalid": _("A municipality number (kommunenummer) has four digits, e.g. 1804.")
        },
    )
    srid = forms.IntegerField(
        label=_("SRID"),
        required=False,
        min_value=1,
        help_text=_("Only when the file names no coordinate system."),
    )
    valid_from = forms.DateField(
        label=_("Valid from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check and report, write nothing"), required=False, initial=True
    )
