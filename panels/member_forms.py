"""Forms of the panel's members (the survey) and of the planner (information, sessions,
the survey's questions, members' links). Messages are in the person's language."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from areas.geo import lon_lat_point
from core.fields import TextField
from core.forms import add_service_errors
from councils.forms import MultipleFileField
from panels import information, survey
from panels.models import QuestionKind


def _datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SurveyAnswerForm(forms.Form):
    """A member's answers: one field per question (``q<id>``)."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            name = f"q{question.pk}"
            wrong = {
                "invalid_choice": _("Choose among the options given."),
                "required": _("Choose an answer."),
                "invalid_list": _("Choose among the options given."),
            }
            if question.kind == QuestionKind.SINGLE:
                field = forms.TypedChoiceField(
                    choices=list(enumerate(question.options)),
                    coerce=int,
                    widget=forms.RadioSelect,
                    error_messages=wrong,
                )
            elif question.kind == QuestionKind.MULTIPLE:
                field = forms.TypedMultipleChoiceField(
                    choices=list(enumerate(question.options)),
                    coerce=int,
                    widget=forms.CheckboxSelectMultiple,
                    error_messages=wrong,
                    help_text=_("Choose one or more."),
                )
            elif question.kind == QuestionKind.SCALE:
                low = question.scale_min_label
                high = question.scale_max_label
                field = forms.TypedChoiceField(
                    choices=[
                        (value, str(value))
                        for value in range(question.scale_min, question.scale_max + 1)
                    ],
                    coerce=int,
                    widget=forms.RadioSelect(attrs={"class": "scale"}),
                    error_messages={
                        **wrong,
                        "required": _("Choose a number on the scale."),
                        "invalid_choice": _("Choose a whole number from %(a)s to %(b)s.")
                        % {"a": question.scale_min, "b": question.scale_max},
                    },
                    help_text=f"{question.scale_min} = {low}, {question.scale_max} = {high}"
                    if low and high
                    else "",
                )
            else:
                field = TextField(
                    required=False,
                    max_length=survey.MAX_TEXT,
                    widget=forms.Textarea(attrs={"rows": 5}),
                    help_text=_("Optional. At most %(n)s characters. Shown without your name.")
                    % {"n": survey.MAX_TEXT},
                )
            field.label = question.text
            self.fields[name] = field

    def answers(self) -> dict:
        """The cleaned answers as ``survey.survey_answer`` takes them."""
        return {
            question.pk: self.cleaned_data.get(f"q{question.pk}") for question in self.questions
        }


class QuestionForm(forms.Form):
    """The planner adds a question to the survey."""

    kind = forms.ChoiceField(label=_("Kind of question"), choices=QuestionKind.choices)
    text = TextField(label=_("Question"), min_length=3, max_length=500)
    options = TextField(
        label=_("Options (for choices)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One option per line."),
    )
    scale_min = forms.IntegerField(label=_("Scale from"), initial=1, min_value=-10, max_value=10)
    scale_max = forms.IntegerField(label=_("Scale to"), initial=5, min_value=-10, max_value=10)
    scale_min_label = TextField(label=_("Label of the lowest"), required=False, max_length=100)
    scale_max_label = TextField(label=_("Label of the highest"), required=False, max_length=100)

    def clean(self):
        data = super().clean()
        data["option_list"] = [
            line.strip() for line in (data.get("options") or "").splitlines() if line.strip()
        ]
        if data.get("kind"):
            errors = survey.question_errors(
                kind=data["kind"],
                text=data.get("text") or "",
                options=data["option_list"],
                scale_min=data.get("scale_min"),
                scale_max=data.get("scale_max"),
            )
            if errors:
                add_service_errors(self, ValidationError(errors))
        return data


class InformationForm(forms.Form):
    """The planner writes a theme's information and adds its PDFs."""

    information = TextField(
        label=_("Information beforehand"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    documents = MultipleFileField(
        label=_("Documents (PDF)"),
        required=False,
        help_text=_("Up to 10 PDF files of at most 10 MB each."),
    )

    def __init__(self, *args, theme, **kwargs):
        super().__init__(*args, **kwargs)
        self.theme = theme

    def clean(self):
        data = super().clean()
        uploads = data.get("documents") or []
        if uploads:
            errors = information.theme_document_errors(theme=self.theme, uploads=uploads)
            if errors:
                self.add_error("documents", errors)
        return data


class SessionForm(forms.Form):
    """The planner adds a session of the panel (a meeting)."""

    title = TextField(label=_("Title"), min_length=3, max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=_datetime_widget())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=_datetime_widget())
    digital = forms.BooleanField(label=_("Digital session"), required=False)
    link = forms.URLField(
        label=_("Link to the digital meeting"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Only the panel's members see it."),
    )
    place_name = TextField(label=_("Place name"), required=False, max_length=200)
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
        help_text=_("Click the map, or type the coordinates (physical sessions)."),
    )

    def __init__(self, *args, panel, **kwargs):
        super().__init__(*args, **kwargs)
        self.panel = panel

    def clean(self):
        data = super().clean()
        lat, lon = data.get("lat"), data.get("lon")
        data["point"] = lon_lat_point(lon, lat) if lat is not None and lon is not None else None
        if not data.get("digital") and not (data.get("place_name") or "").strip():
            self.add_error("place_name", _("Name the place where the session is held."))
        if data.get("starts_at") and data.get("ends_at"):
            errors = information.session_errors(
                panel=self.panel,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                digital=bool(data.get("digital")),
                link=data.get("link") or "",
                point=data["point"],
            )
            if "place" in errors:
                errors["lat"] = errors.pop("place")
            errors.pop("case", None)
            if errors:
                add_service_errors(self, ValidationError(errors))
        return data


class SummaryForm(forms.Form):
    summary = TextField(
        label=_("Summary of the session"),
        min_length=10,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the panel discussed and concluded. Do not write members' names."),
    )


class LinksForm(forms.Form):
    """The planner sends the members' links (each in the language the member volunteered
    in): a button, with the form's protection."""
