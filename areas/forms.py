from __future__ import annotations

from django import forms
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from areas.models import Address, Municipality
from core.fields import TextField


def address_point(text: str, municipality: Municipality) -> Point:
    """The place of a typed address from the municipality's address register, or a
    ValidationError saying why not: several addresses start so, or none does (with the
    addresses spelt most like it, when there are some)."""
    addresses = Address.objects.filter(municipality=municipality)
    typed = " ".join(text.split()).lower()
    matches = list(addresses.search(typed)[:6])
    exact = [m for m in matches if m.text.lower() == typed]
    if exact or len(matches) == 1:
        return (exact or matches)[0].point
    if matches:
        raise ValidationError(
            _("Several addresses match: %(list)s. Type one of them in full.")
            % {"list": "; ".join(m.text for m in matches)}
        )
    alike = list(addresses.suggest(typed)[:5])
    if alike:
        raise ValidationError(
            _("We do not know this address. Did you mean %(list)s?")
            % {"list": "; ".join(m.text for m in alike)}
        )
    raise ValidationError(
        _("We do not know this address. Check the spelling, or choose the place another way.")
    )


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


class AddressLookupForm(forms.Form):
    """Find the areas at an address of the municipality's register (without JavaScript the
    address is typed in full; with it, static/js/address-combobox.js suggests as one types)."""

    address = TextField(label=_("Address"), max_length=200, help_text=_("For example: Storgata 1"))

    def __init__(self, *args, municipality: Municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality

    def clean(self):
        data = super().clean()
        if data.get("address"):
            try:
                data["point"] = address_point(data["address"], self.municipality)
            except ValidationError as exc:
                self.add_error("address", exc)
        return data


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
