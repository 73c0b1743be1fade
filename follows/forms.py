"""The follow form: what to follow (topics) and how often, for an area or a municipality."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from areas.models import Area, Municipality
from follows.models import Frequency, Topic, all_topics


class FollowForm(forms.Form):
    """Topics and frequency of one follow (the place is the URL's or the follow's)."""

    topics = forms.MultipleChoiceField(
        label=_("What do you want to hear about?"),
        choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=all_topics,
        error_messages={"required": _("Choose at least one thing to follow.")},
    )
    frequency = forms.ChoiceField(
        label=_("How often do you want e-mail?"),
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        initial=Frequency.IMMEDIATE,
    )


class FollowPlaceForm(FollowForm):
    """A new follow: an area (``area``, its id) or a whole municipality (``municipality``,
    its number), with topics and frequency."""

    area = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    municipality = forms.CharField(required=False, max_length=4, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        data["municipality"], data["area"] = resolve_place(
            data.get("area"), data.get("municipality")
        )
        return data


def resolve_place(area_id, code) -> tuple:
    """(municipality, area or None) to follow: an area in force of a municipality, or a
    municipality by its number; a ``ValidationError`` saying what is wrong otherwise."""
    municipality = Municipality.objects.filter(code=code).first() if code else None
    if code and municipality is None:
        raise forms.ValidationError(_("There is no such municipality."), code="municipality")
    area = None
    if area_id not in (None, ""):
        try:
            area_id = int(area_id)
        except (TypeError, ValueError):
            area_id = 0
        area = (
            Area.objects.in_force()
            .filter(pk=area_id, municipality__isnull=False)
            .select_related("municipality", "type")
            .defer("geom")
            .first()
        )
        if area is None:
            raise forms.ValidationError(
                _("There is no such area to follow (it may no longer be in force)."), code="area"
            )
        if municipality is not None and area.municipality_id != municipality.pk:
            raise forms.ValidationError(
                _("This area is not in the municipality you chose."), code="area"
            )
        municipality = area.municipality
    if municipality is None:
        raise forms.ValidationError(_("Choose an area or a municipality to follow."), code="place")
    return municipality, area
