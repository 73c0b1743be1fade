"""Forms planners fill in on cases. Messages are in the person's language."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from areas.geojson import geometry_from_geojson
from areas.models import Area, AreaType
from cases.digests import PERIOD_VALIDATORS
from cases.models import AdjustmentAction, Body, CaseStatus
from cases.services import case_geometry_check, case_geometry_from_upload, case_number_check
from core.fields import TextField
from core.forms import add_service_errors
from priorities import kinds
from priorities.forms import area_label
from priorities.models import case_number_validator


class CaseForm(forms.Form):
    """A new case: the archive's number, what it is about, where, and which areas it hears."""

    number = TextField(
        label=_("Case number"),
        max_length=20,
        validators=[case_number_validator],
        help_text=_("As the archive writes it, e.g. 2026/1234."),
    )
    title = TextField(label=_("Title"), max_length=300)
    summary = TextField(
        label=_("Plain-language summary"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    body = forms.ChoiceField(label=_("Elected body"), choices=Body.choices)
    committee_name = TextField(label=_("Committee"), required=False, max_length=200)
    meeting_date = forms.DateField(
        label=_("Meeting date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)
    archive_url = forms.URLField(
        label=_("Public archive entry"),
        assume_scheme="https",
        required=False,
        help_text=_("eInnsyn or the municipality's own archive."),
    )
    geometry = forms.CharField(
        label=_("Geometry drawn on the map (GeoJSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Filled in when you draw on the map; you may also paste GeoJSON here."),
    )
    geometry_file = forms.FileField(
        label=_("Or upload the plan boundary"),
        required=False,
        help_text=_(
            "GeoJSON, GeoPackage or a zipped Shapefile, in WGS 84 or UTM; at most 20 MB "
            "and 100,000 points."
        ),
    )
    area_types = forms.ModelMultipleChoiceField(
        label=_("Affected areas of these types"),
        queryset=AreaType.objects.exclude(slug="kommune"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    buffer_metres = forms.IntegerField(
        label=_("Buffer (metres)"),
        min_value=0,
        max_value=10_000,
        initial=0,
        help_text=_("Areas this close to the geometry count as affected too."),
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        if not self.is_bound:
            # Every type by default: a case made with none affects no area.
            self.initial.setdefault("area_types", list(self.fields["area_types"].queryset))

    def clean(self):
        data = super().clean()
        data["geom"] = None
        upload = data.get("geometry_file")
        field = "geometry_file" if upload else "geometry"
        try:
            if upload:
                data["geom"] = case_geometry_from_upload(upload, field=field)
            elif data.get("geometry"):
                data["geom"] = geometry_from_geojson(data["geometry"], field=field)
            # The service's checks, said now beside the fields' own errors (one round).
            if data["geom"] is not None:
                case_geometry_check(data["geom"], self.municipality, field=field)
        except ValidationError as exc:
            add_service_errors(self, exc)
        if data.get("number"):
            try:
                case_number_check(data["number"], self.municipality)
            except ValidationError as exc:
                add_service_errors(self, exc)
        if "area_types" not in self.errors and not data.get("area_types"):
            self.add_error(
                "area_types",
                _("Tick at least one type of area: with none, the case affects no area."),
            )
        return data


class AreaAdjustForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none())
    action = forms.ChoiceField(label=_("Change"), choices=AdjustmentAction.choices)
    reason = TextField(label=_("Reason"), min_length=5, max_length=500)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.choosable(case.municipality.code)
        self.fields["area"].label_from_instance = area_label
        self.fields["action"].choices = [
            (AdjustmentAction.ADD, _("add to the affected areas")),
            (AdjustmentAction.REMOVE, _("remove from the affected areas")),
        ]


class LinkForm(forms.Form):
    """Link input of any kind to the case by reference number (NB-… for priorities, UT-…
    for councils' submissions, and so on for every kind in ``priorities.kinds``)."""

    references = TextField(
        label=_("Input (reference numbers)"),
        max_length=2000,
        help_text=_("Separated by commas or spaces, e.g. NB-2026-000012, UT-2026-000003."),
    )
    public_text = TextField(
        label=_("Public answer"),
        min_length=5,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the input's page and e-mailed to the people behind it."),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case

    def clean(self):
        data = super().clean()
        wanted = {word.upper() for word in (data.get("references") or "").replace(",", " ").split()}
        found = []
        for kind in kinds.all_kinds():
            found += kind.public_records().filter(
                municipality=self.case.municipality, reference__in=wanted
            )
        missing = sorted(wanted - {record.reference for record in found})
        if missing:
            self.add_error(
                "references",
                _("No public input with the reference number %(refs)s in this municipality.")
                % {"refs": ", ".join(missing)},
            )
        data["records"] = found
        return data


class LayerForm(forms.Form):
    name = TextField(
        label=_("Layer name"),
        max_length=100,
        help_text=_("E.g. proposed route, alternative 2."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("GeoJSON, GeoPackage or a zipped Shapefile; at most 20 MB."),
    )


class PeriodForm(forms.Form):
    """A period of days, ``since`` and ``until`` (both optional): the one reader of a period,
    for the digest pages, the freeze form and the API's query parameters (cases.api.views)."""

    since = forms.DateField(
        label=_("From"),
        required=False,
        validators=PERIOD_VALIDATORS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=_("To"),
        required=False,
        validators=PERIOD_VALIDATORS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("since", _("The period starts after it ends."))
        return data


class PopulationForm(forms.Form):
    """A planner uploads population counts per area and age group (a CSV)."""

    area_type = forms.ModelChoiceField(
        label=_("Area type"),
        queryset=AreaType.objects.none(),
        empty_label=None,
        help_text=_("The areas the file's area column names (by code or name)."),
    )
    source = TextField(
        label=_("Source"),
        max_length=300,
        help_text=_("Where the counts come from, e.g. “SSB tabell 07459, 1 January 2026”."),
    )
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=1900,
        max_value=2100,
        help_text=_("Only for a file without a year column."),
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: area, age (a group, a single year or an age band), count and year; "
            "separated by ; or , in UTF-8 or Windows-1252; at most 5 MB."
        ),
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area_type"].queryset = AreaType.objects.filter(
            pk__in=Area.objects.filter(municipality=municipality).values("type")
        ).exclude(slug="kommune")
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"
