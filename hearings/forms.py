"""Forms of hearings: the planner opens one and writes its summary; anyone invited answers."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from areas.geojson import geometry_from_geojson
from areas.models import Area
from core.fields import TextField
from core.forms import add_service_errors
from councils.forms import MultipleFileField
from councils.models import Council
from hearings import services
from hearings.models import Audience, Publication, Respondent
from priorities.forms import area_label


def _email_list(value: str) -> list[str]:
    return [word for word in (value or "").replace(",", " ").replace(";", " ").split() if word]


class HearingForm(forms.Form):
    """A planner opens a hearing on a case."""

    title = TextField(label=_("Title"), min_length=3, max_length=200)
    decision = TextField(
        label=_("What will be decided, by whom and when"),
        min_length=10,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("In plain language: the question, the elected body and the meeting."),
    )
    questions = TextField(
        label=_("Questions for those who answer (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    opens_on = forms.DateField(label=_("Opens"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    audience = forms.ChoiceField(
        label=_("Who may answer"),
        choices=Audience.choices,
        initial=Audience.EVERYONE,
        widget=forms.RadioSelect,
    )
    invited_councils = forms.ModelMultipleChoiceField(
        label=_("Invited councils"),
        required=False,
        queryset=Council.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    invited_emails = TextField(
        label=_("Invited organisations (e-mail addresses)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Separated by commas or spaces. They answer logged in with that address."),
    )
    publication = forms.ChoiceField(
        label=_("Answers are"),
        choices=Publication.choices,
        initial=Publication.AT_ONCE,
        widget=forms.RadioSelect,
    )
    documents = MultipleFileField(
        label=_("Documents (PDF)"),
        required=False,
        help_text=_("Up to 10 PDF files of at most 10 MB each."),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["invited_councils"].queryset = Council.objects.filter(
            municipality=case.municipality_id
        )

    def clean_invited_emails(self):
        emails = _email_list(self.cleaned_data.get("invited_emails"))
        bad = []
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                bad.append(email)
        if bad:
            raise ValidationError(_("Not e-mail addresses: %(bad)s.") % {"bad": ", ".join(bad)})
        return emails

    def clean(self):
        data = super().clean()
        errors = services.hearing_errors(
            case=self.case,
            opens_on=data.get("opens_on"),
            closes_on=data.get("closes_on"),
            audience=data.get("audience") or Audience.EVERYONE,
            invited_councils=list(data.get("invited_councils") or ()),
            invited_emails=data.get("invited_emails") or (),
            documents=data.get("documents") or (),
        )
        if errors:
            add_service_errors(self, ValidationError(errors))
        return data


class AnswerForm(forms.Form):
    """An answer to a hearing: from a resident, an organisation or a council."""

    respondent = forms.ChoiceField(
        label=_("You answer as"),
        choices=Respondent.choices,
        initial=Respondent.RESIDENT,
        widget=forms.RadioSelect,
    )
    text = TextField(
        label=_("Your answer"),
        min_length=10,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    signed_name = TextField(
        label=_("Your name"),
        required=False,
        max_length=200,
        help_text=_("Answers to a hearing are public records, with the name of who answered."),
    )
    name_withheld = forms.BooleanField(label=_("Do not show my name publicly"), required=False)
    organisation_name = TextField(label=_("Organisation"), required=False, max_length=200)
    organisation_number = TextField(
        label=_("Organisation number"),
        required=False,
        max_length=11,
        help_text=_("Nine digits, e.g. 923 609 016."),
    )
    contact_person = TextField(label=_("Contact person"), required=False, max_length=200)
    council = forms.ModelChoiceField(
        label=_("Council"),
        required=False,
        queryset=Council.objects.none(),
        empty_label=_("Choose the council you answer for"),
    )
    geometry = forms.CharField(
        label=_("Place drawn on the map (GeoJSON)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Filled in when you draw on the map; you may also paste GeoJSON here."),
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("Or choose the areas it concerns"),
        required=False,
        queryset=Area.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    attachments = MultipleFileField(
        label=_("Attachments (PDF)"),
        required=False,
        help_text=_("Up to 5 PDF files of at most 10 MB each."),
    )

    def __init__(self, *args, hearing, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.hearing = hearing
        municipality = hearing.case.municipality
        councils = Council.objects.filter(municipality=municipality)
        if user is not None and user.is_authenticated:
            councils = councils.filter(
                memberships__user=user, memberships__role="secretary"
            ).distinct()
        else:
            councils = councils.none()
        self.fields["council"].queryset = councils
        self.fields["areas"].queryset = Area.objects.choosable(municipality.code)
        self.fields["areas"].label_from_instance = area_label

    def clean(self):
        data = super().clean()
        source = data.get("geometry")
        data["geom"] = None
        if source:
            try:
                data["geom"] = geometry_from_geojson(source, field="geometry")
            except ValidationError as exc:
                self.add_error(None, exc)
        errors, _stored = services.answer_errors(
            hearing=self.hearing,
            respondent=data.get("respondent") or Respondent.RESIDENT,
            signed_name=data.get("signed_name") or "",
            name_withheld=bool(data.get("name_withheld")),
            organisation_name=data.get("organisation_name") or "",
            organisation_number=data.get("organisation_number") or "",
            contact_person=data.get("contact_person") or "",
            council=data.get("council"),
            geometry=data["geom"],
            areas=list(data.get("areas") or ()),
            attachments=data.get("attachments") or (),
        )
        if errors:
            add_service_errors(self, ValidationError(errors))
        return data


class UnconfirmedAnswerForm(AnswerForm):
    """An answer from a resident who is not logged in: with the e-mail address its
    confirmation link is sent to (organisations and councils answer logged in)."""

    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        error_messages={
            "invalid": _("Write an e-mail address like navn@example.no."),
            "required": _("Write your e-mail address."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_(
            "We send you a link to confirm the answer: it is counted and published only "
            "when you confirm. The address is not shown."
        ),
    )

    def __init__(self, *args, hearing, **kwargs):
        super().__init__(*args, hearing=hearing, user=None, **kwargs)
        for name in (
            "respondent",
            "organisation_name",
            "organisation_number",
            "contact_person",
            "council",
        ):
            del self.fields[name]


class ModerateForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Decision"),
        choices=[("publish", _("Publish")), ("hide", _("Hide"))],
        widget=forms.RadioSelect,
    )
    reason = TextField(
        label=_("Reason for hiding (told to the author)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ThemeForm(forms.Form):
    """A theme of the planner's summary, with the answers it covers."""

    title = TextField(label=_("Theme"), min_length=3, max_length=200)
    text = TextField(
        label=_("Summary of what the answers say"),
        min_length=10,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    references = TextField(
        label=_("Answers it covers (reference numbers)"),
        required=False,
        max_length=200_000,  # a theme may cover thousands of answers
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Separated by commas or spaces, e.g. HS-2026-000012, HS-2026-000013."),
    )
    position = forms.IntegerField(label=_("Position"), required=False, min_value=0, max_value=1000)

    def __init__(self, *args, hearing, **kwargs):
        super().__init__(*args, **kwargs)
        self.hearing = hearing

    def clean(self):
        data = super().clean()
        words = (data.get("references") or "").replace(",", " ").split()
        data["reference_list"] = words
        try:
            services.answers_by_reference(self.hearing, words)
        except ValidationError as exc:
            add_service_errors(self, exc)
        return data
