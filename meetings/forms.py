"""Forms of planners who register meetings and record their input, and of participants
who follow a meeting. Messages are in the person's language."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from areas.geo import lon_lat_point
from areas.geojson import geometry_from_geojson
from areas.models import AgeGroup, Municipality
from cases.models import Case
from core.fields import TextField
from core.forms import add_service_errors
from meetings import services
from meetings.models import MeetingType
from meetings.photos import photo_from_upload

PHOTO_SLOTS = 3


def _datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MeetingForm(forms.Form):
    """A planner registers a public meeting, a workshop or a walk."""

    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none(), empty_label=None
    )
    type = forms.ChoiceField(label=_("Type"), choices=MeetingType.choices)
    title = TextField(label=_("Title"), min_length=3, max_length=200)
    description = TextField(
        label=_("What it is about"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    starts_at = forms.DateTimeField(label=_("Starts"), widget=_datetime_widget())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=_datetime_widget())
    place_name = TextField(
        label=_("Place name"),
        max_length=200,
        help_text=_("Where people meet, e.g. Bodø rådhus, bystyresalen."),
    )
    lat = forms.FloatField(
        label=_("Latitude"),
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    lon = forms.FloatField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        help_text=_("Click the map, or type the coordinates."),
    )
    case = forms.ModelChoiceField(
        label=_("Case"), required=False, queryset=Case.objects.none(), empty_label=_("No case")
    )
    organisers = TextField(label=_("Organisers"), required=False, max_length=300)

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        self.fields["case"].queryset = Case.objects.filter(
            municipality__in=municipalities
        ).order_by("-created_at")
        self.fields["case"].label_from_instance = lambda case: f"{case.number} {case.title}"

    def clean(self):
        data = super().clean()
        lat, lon = data.get("lat"), data.get("lon")
        data["point"] = lon_lat_point(lon, lat) if lat is not None and lon is not None else None
        municipality = data.get("municipality")
        if municipality is not None:
            errors = services.meeting_errors(
                municipality=municipality,
                starts_at=data.get("starts_at"),
                ends_at=data.get("ends_at"),
                point=data["point"],
                case=data.get("case"),
            )
            if "place" in errors:
                errors["lat"] = errors.pop("place")
            if errors:
                add_service_errors(self, ValidationError(errors))
        return data


class MeetingInputForm(forms.Form):
    """A planner records the input gathered at a meeting."""

    title = TextField(
        label=_("Title"),
        min_length=3,
        max_length=200,
        help_text=_("A few words: what the input is about."),
    )
    notes = TextField(
        label=_("Notes"),
        min_length=10,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What was said. Do not write participants' names."),
    )
    geometry = forms.CharField(
        label=_("Place drawn on the paper map (GeoJSON)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Filled in when you draw on the map; you may also paste GeoJSON here."),
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        for n in range(1, PHOTO_SLOTS + 1):
            self.fields[f"photo_{n}"] = forms.FileField(
                label=_("Photo %(n)s") % {"n": n},
                required=False,
                widget=forms.ClearableFileInput(
                    attrs={"accept": "image/png,image/jpeg,image/webp"}
                ),
                help_text=_("A flip chart or a paper map: PNG, JPEG or WebP, at most 10 MB."),
            )
            self.fields[f"alt_{n}"] = TextField(
                label=_("What photo %(n)s shows") % {"n": n},
                required=False,
                max_length=500,
                help_text=_("Required with a photo: its text, for those who cannot see it."),
            )
        for group, label in AgeGroup.choices:
            self.fields[f"count_{group}"] = forms.IntegerField(
                label=label,
                required=False,
                min_value=0,
                max_value=services.MAX_PARTICIPANTS,
            )

    def photo_fields(self):
        return [(self[f"photo_{n}"], self[f"alt_{n}"]) for n in range(1, PHOTO_SLOTS + 1)]

    def count_fields(self):
        return [self[f"count_{group}"] for group in AgeGroup.values]

    def clean(self):
        data = super().clean()
        data["geom"] = None
        if data.get("geometry"):
            try:
                data["geom"] = geometry_from_geojson(data["geometry"], field="geometry")
            except ValidationError as exc:
                add_service_errors(self, exc)
        photos = []
        for n in range(1, PHOTO_SLOTS + 1):
            upload, alt_text = data.get(f"photo_{n}"), data.get(f"alt_{n}") or ""
            if not upload:
                continue
            if len(alt_text.strip()) < 5:
                self.add_error(
                    f"alt_{n}",
                    _("Describe what the photo shows, for those who cannot see it."),
                )
            try:
                photo_from_upload(upload, field=f"photo_{n}")
            except ValidationError as exc:
                add_service_errors(self, exc)
            else:
                upload.seek(0)
            photos.append((upload, alt_text))
        data["photos"] = photos
        data["counts"] = {
            group: data.get(f"count_{group}")
            for group in AgeGroup.values
            if data.get(f"count_{group}") is not None
        }
        errors = services.input_errors(meeting=self.meeting, geometry=data["geom"])
        if errors:
            add_service_errors(self, ValidationError(errors))
        return data


class FollowForm(forms.Form):
    """A participant leaves an e-mail address to follow a meeting's input."""

    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        error_messages={
            "invalid": _("Write an e-mail address like navn@example.no."),
            "required": _("Write your e-mail address."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We send you a link to confirm it, then only news about this input."),
    )


class CancelForm(forms.Form):
    reason = TextField(
        label=_("Why the meeting is cancelled"),
        min_length=5,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
