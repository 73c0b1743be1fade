"""Forms of councils' secretaries and of the staff who ask councils for statements."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from areas.geojson import geometry_from_geojson
from areas.models import Area
from cases.models import Case
from core.fields import TextField
from core.forms import add_service_errors
from councils import services as council_services
from councils.models import SubmissionKind
from priorities.forms import area_label


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class SubmissionForm(forms.Form):
    """A council secretary files a submission."""

    kind = forms.ChoiceField(label=_("Kind"), choices=SubmissionKind.choices)
    consultation = forms.ModelChoiceField(
        label=_("Answers the consultation"),
        required=False,
        queryset=None,
        empty_label=_("Not an answer to a consultation"),
    )
    case = forms.ModelChoiceField(
        label=_("Case"), required=False, queryset=None, empty_label=_("No case")
    )
    title = TextField(label=_("Title"), min_length=3, max_length=200)
    text = TextField(
        label=_("Text"), min_length=10, max_length=20000, widget=forms.Textarea(attrs={"rows": 10})
    )
    meeting_date = forms.DateField(
        label=_("Adopted in the meeting of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Required for a formal council's statement or input."),
    )
    minutes_reference = TextField(
        label=_("Minutes reference"),
        required=False,
        max_length=100,
        help_text=_("E.g. the case number in the minutes: 12/26."),
    )
    year = forms.IntegerField(
        label=_("Year (annual reports)"), required=False, min_value=1900, max_value=2100
    )
    geometry = forms.CharField(
        label=_("Place drawn on the map (GeoJSON)"),
        required=False,
        strip=False,  # whitespace alone is not "no place": it is refused like other non-GeoJSON
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Filled in when you draw on the map; you may also paste GeoJSON here."),
    )
    geometry_file = forms.FileField(
        label=_("Or upload a GeoJSON file"),
        required=False,
        help_text=_("GeoJSON in WGS 84 (longitude, latitude)."),
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("Or choose the areas it concerns"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )
    attachments = MultipleFileField(
        label=_("Attachments (PDF)"),
        required=False,
        help_text=_("Up to 5 PDF files of at most 10 MB each."),
    )

    def __init__(self, *args, council, **kwargs):
        super().__init__(*args, **kwargs)
        self.council = council
        municipality = council.municipality
        self.fields["consultation"].queryset = council.consultations.select_related(
            "case"
        ).order_by("deadline")
        self.fields["consultation"].label_from_instance = lambda c: (
            f"{c.case.number} {c.case.title} ({c.deadline:%d.%m.%Y})"
        )
        self.fields["case"].queryset = Case.objects.filter(municipality=municipality).order_by(
            "-created_at"
        )
        self.fields["areas"].queryset = Area.objects.choosable(municipality.code)
        self.fields["areas"].label_from_instance = area_label

    def clean(self):
        data = super().clean()
        upload = data.get("geometry_file")
        source = upload.read() if upload else data.get("geometry")
        data["geom"] = None
        if source:
            try:
                data["geom"] = geometry_from_geojson(source, field="geometry")
            except forms.ValidationError as exc:
                self.add_error(None, exc)  # keeps the codes: "too_large" is answered with 413
        # What the service would refuse, said now beside the fields' own errors (one round).
        errors = council_services.submission_errors(
            council=self.council,
            kind=data.get("kind"),
            meeting_date=data.get("meeting_date"),
            year=data.get("year"),
            geometry=data["geom"],
            areas=list(data.get("areas") or ()),
            case=data.get("case"),
            consultation=data.get("consultation"),
            attachments=data.get("attachments") or (),
        )
        if errors:
            add_service_errors(self, forms.ValidationError(errors))
        return data


class WithdrawForm(forms.Form):
    reason = TextField(
        label=_("Reason for withdrawing"),
        min_length=5,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
