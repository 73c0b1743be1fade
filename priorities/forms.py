"""Forms residents and staff fill in. Messages are in the person's language."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from areas.forms import address_point
from areas.geo import lon_lat_point
from areas.models import Area, AreaType
from core.fields import TextField
from core.forms import LongSelect, add_service_errors
from priorities.models import (
    MAX_SUPPORT,
    REPLY_MAX_LENGTH,
    REPLY_MIN_LENGTH,
    AnswerTemplate,
    Category,
    Status,
    case_number_validator,
)
from priorities.services import input_locate


def area_label(area) -> str:
    """An area in a choice list: its name and its type."""
    return f"{area.name} ({area.type.name})"


class PriorityForm(forms.Form):
    """Pin a priority: a place (map, coordinates, address or area), a category, a title, a text."""

    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), empty_label=_("Choose a category")
    )
    title = TextField(
        label=_("Title"),
        min_length=3,
        max_length=120,
        help_text=_("A few words: what matters here?"),
    )
    text = TextField(
        label=_("Why it matters"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Up to 2000 characters. Do not write names or other personal details."),
    )
    lat = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    lon = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    address = TextField(
        label=_("Address"),
        required=False,
        max_length=200,
        help_text=_("For example: Storgata 1"),
    )
    area = forms.ModelChoiceField(
        label=_("Or choose an area"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("No area chosen"),
        help_text=_("The priority is then placed in the middle of the area."),
    )
    confirm_new = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.fields["category"].queryset = Category.objects.for_municipality(municipality.code)
        self.fields["area"].queryset = Area.objects.choosable(municipality.code)
        self.fields["area"].label_from_instance = area_label

    def clean(self):
        data = super().clean()
        lat, lon = data.get("lat"), data.get("lon")
        # Every error at once: the place is checked whatever else is wrong, and its errors
        # are on the place's own fields (the error summary links each to its field).
        if "lat" in self.errors or "lon" in self.errors:
            return data
        if (lat is None) != (lon is None):
            self.add_error(
                "lon" if lon is None else "lat",
                _("Give both latitude and longitude, or neither."),
            )
        elif lat is not None:
            data["point"] = lon_lat_point(lon, lat)
        elif data.get("address"):
            try:
                data["point"] = address_point(data["address"], self.municipality)
            except ValidationError as exc:
                self.add_error("address", exc)
        elif data.get("area"):
            data["point"] = data["area"].geom.point_on_surface
        elif "address" not in self.errors and "area" not in self.errors:
            self.add_error(
                "address",
                _(
                    "Choose the place: click the map, type the coordinates or an address, or choose an area."
                ),
            )
        if data.get("point") is not None:
            # A place outside the municipalities is said now, beside the other errors, not
            # in a second round once they are put right (the service checks it again).
            try:
                source = "lat" if lat is not None else "address" if data.get("address") else "area"
                input_locate(data["point"], field=source)
            except ValidationError as exc:
                add_service_errors(self, exc)
                del data["point"]
        return data


class StatusForm(forms.Form):
    """A planner's answer: new status, public text, and optionally the case it went into."""

    status = forms.ChoiceField(label=_("New status"), choices=Status.answers())
    public_text = TextField(
        label=_("Public answer"),
        min_length=5,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the priority's page and e-mailed to the author and supporters."),
    )
    case_number = TextField(
        label=_("Case number"),
        required=False,
        max_length=20,
        validators=[case_number_validator],
        help_text=_("As the archive writes it, e.g. 2026/1234."),
    )


class ReportForm(forms.Form):
    reason = TextField(label=_("What is wrong?"), min_length=3, max_length=500)


class ModerationForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("hide", _("Hide")), ("restore", _("Make public"))],
        widget=forms.RadioSelect,
    )
    reason = TextField(
        label=_("Reason (shown to the author)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReplyForm(forms.Form):
    """An elected member's reply, or the author's answer back (``answer=True``)."""

    text = TextField(
        label=_("Your reply"),
        min_length=REPLY_MIN_LENGTH,
        max_length=REPLY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Public, with your name, party and elected body: your own view, not the "
            "municipality's answer."
        ),
    )

    def __init__(self, *args, answer: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if answer:
            self.fields["text"].label = _("Your answer to the reply")
            self.fields["text"].help_text = _(
                "Public, without your name. You can answer each reply once."
            )


class ReplyModerationForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("hide", _("Hide")), ("restore", _("Make public"))],
        widget=forms.RadioSelect,
    )
    reason = TextField(
        label=_("Reason (shown in its place)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RedactForm(forms.Form):
    title = TextField(label=_("Title"), min_length=3, max_length=120)
    text = TextField(
        label=_("Text"), min_length=10, max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )


class PreferencesForm(forms.Form):
    notify_by_email = forms.BooleanField(
        label=_("E-mail me when input I gave or support is answered"), required=False
    )
    language = forms.ChoiceField(
        label=_("Language of e-mails"),
        choices=[("nb", "Norsk bokmål"), ("nn", "Norsk nynorsk"), ("en", "English")],
    )


class PlannerFilterForm(forms.Form):
    """The planner's filters. The names are the API's query parameters, so a URL works in both."""

    q = TextField(label=_("Search"), required=False, max_length=200)
    area = forms.TypedChoiceField(
        label=_("Area (with its sub-areas)"), required=False, coerce=int, widget=LongSelect
    )
    area_type = forms.ChoiceField(label=_("Areas on the map"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *Status.choices]
    )
    answered = forms.ChoiceField(
        label=_("Answered"),
        required=False,
        choices=[("", _("All")), ("true", _("Answered")), ("false", _("Not answered"))],
    )
    min_support = forms.IntegerField(
        label=_("At least this many supporters"),
        required=False,
        min_value=0,
        max_value=MAX_SUPPORT,
    )
    since = forms.DateField(
        label=_("From date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    case = TextField(
        label=_("Case number"), required=False, max_length=20, validators=[case_number_validator]
    )
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("support", _("Most support")),
        ],
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        # Plain rows, not hundreds of Area instances: the page is built on every filter.
        areas = (
            Area.objects.in_force()
            .in_municipality(municipality.code)
            .order_by("type__slug", "name")
            .values_list("pk", "name", "type_id")
        )
        area_types = AreaType.objects.in_bulk()
        self.fields["area"].choices = [("", _("The whole municipality"))] + [
            (pk, f"{name} ({area_types[type_id].name})") for pk, name, type_id in areas
        ]
        types = {
            area_types[type_id].slug: area_types[type_id].name
            for _pk, _name, type_id in areas
            if area_types[type_id].slug != "kommune"
        }
        self.fields["area_type"].choices = list(types.items())
        self.fields["category"].choices = [("", _("All categories"))] + [
            (c.slug, c.name) for c in Category.objects.for_municipality(municipality.code)
        ]


class BulkAnswerForm(StatusForm):
    """An answer to many priorities at once, optionally from a template."""

    template = forms.ModelChoiceField(
        label=_("Start from a template"),
        required=False,
        queryset=AnswerTemplate.objects.none(),
        empty_label=_("No template"),
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = AnswerTemplate.objects.filter(municipality=municipality)
        self.fields["public_text"].required = False

    def clean(self):
        data = super().clean()
        template = data.get("template")
        if template and not data.get("public_text"):
            data["public_text"] = template.text
        if not data.get("public_text"):
            self.add_error("public_text", _("Write the public answer, or choose a template."))
        return data
