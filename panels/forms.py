"""Forms of panels (part A): the set-up, the register upload, the draw, the volunteer's
answer. Parsing only; the services decide."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.models import Area, AreaType
from panels.models import RETENTION_DAYS_MAX, Panel
from panels.register import max_bytes

STANDARD_STRATA = ("age_group", "gender", "area")


class PanelForm(forms.ModelForm):
    """A panel's set-up: what it is asked, its themes, its size, the strata."""

    themes = forms.CharField(
        label=_("Themes"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One theme a line."),
        max_length=5000,
    )
    standard_strata = forms.MultipleChoiceField(
        label=_("Strata to balance"),
        choices=[
            ("age_group", _("age group")),
            ("gender", _("gender")),
            ("area", _("area (of the area type below)")),
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=["age_group", "gender"],
    )
    other_strata = forms.CharField(
        label=_("Other strata"),
        required=False,
        max_length=200,
        help_text=_(
            "Other columns of the register extract to balance, separated by commas "
            "(e.g. education)."
        ),
    )

    class Meta:
        model = Panel
        fields = [
            "title",
            "description",
            "target_size",
            "invitations",
            "area_type",
            "minimum_age",
            "quota_tolerance",
            "retention_days",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area_type"].queryset = AreaType.objects.exclude(slug="kommune").order_by(
            "slug"
        )
        self.fields["retention_days"].validators.append(MaxValueValidator(RETENTION_DAYS_MAX))

    def clean_themes(self) -> list[str]:
        themes = [line.strip() for line in self.cleaned_data["themes"].splitlines()]
        themes = [theme for theme in themes if theme]
        if not themes:
            raise forms.ValidationError(_("Give at least one theme."))
        if len(themes) > 20:
            raise forms.ValidationError(_("At most 20 themes."))
        if any(len(theme) < 3 or len(theme) > 200 for theme in themes):
            raise forms.ValidationError(_("Each theme has 3 to 200 characters."))
        return themes

    def clean_other_strata(self) -> list[str]:
        names = [
            name.strip().lower()
            for name in self.cleaned_data["other_strata"].split(",")
            if name.strip()
        ]
        bad = [
            name
            for name in names
            if name in STANDARD_STRATA or not name.replace("_", "").isalnum() or len(name) > 40
        ]
        if bad:
            raise forms.ValidationError(
                _("Not a column name: %(names)s."), params={"names": ", ".join(bad)}
            )
        return names

    def strata(self) -> list[str]:
        return [*self.cleaned_data["standard_strata"], *self.cleaned_data["other_strata"]]


class RegisterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Register extract (CSV)"),
        help_text=_(
            "Columns id, birth_year, gender, and address or lat/lon (EPSG:4326) or "
            "east/north (EPSG:25833); optionally household, postal_address, postcode, "
            "post_town and other columns. UTF-8 or Windows-1252, ; or , as separator."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_bytes():
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB."),
                code="too_large",
                params={"limit": max_bytes() // 1_000_000},
            )
        return upload


class DrawForm(forms.Form):
    seed = forms.CharField(
        label=_("Seed"),
        required=False,
        max_length=40,
        help_text=_(
            "Published on the panel's page so the draw can be repeated; leave empty for a "
            "random one, or use e.g. the numbers of a public lottery drawn later."
        ),
    )

    def clean_seed(self) -> str:
        seed = self.cleaned_data["seed"].strip()
        if seed and not all(ch.isalnum() or ch in "-_. " for ch in seed):
            raise forms.ValidationError(_("Letters, digits, spaces and - _ . only."))
        return seed


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The code in your letter"),
        max_length=20,
        help_text=_("12 letters and digits, e.g. K7QM-2D9X-F4TR."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class VolunteerForm(forms.Form):
    """The volunteer's answer: who they are, their strata, when they can come."""

    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))
    phone = forms.CharField(label=_("Phone (optional)"), max_length=30, required=False)
    birth_year = forms.IntegerField(label=_("Year of birth"))
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=[("f", _("woman")), ("m", _("man"))],
        widget=forms.RadioSelect,
    )
    area = forms.ModelChoiceField(label=_("Where you live"), queryset=Area.objects.none())
    availability = forms.TypedMultipleChoiceField(
        label=_("Sessions you can attend"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the municipality keeps these details to choose the panel and to "
            "contact me about it."
        )
    )

    def __init__(self, *args, panel: Panel, sessions: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        year = timezone.localdate().year
        self.fields["birth_year"].validators += [
            MinValueValidator(year - 120),
            MaxValueValidator(year - panel.minimum_age),
        ]
        if panel.area_type_id and "area" in panel.strata:
            self.fields["area"].queryset = (
                Area.objects.in_force()
                .filter(municipality_id=panel.case.municipality_id, type_id=panel.area_type_id)
                .defer("geom")
                .order_by("name")
            )
            self.fields["area"].label_from_instance = lambda area: area.name
        else:
            del self.fields["area"]
        if sessions:
            self.fields["availability"].choices = sessions
        else:
            del self.fields["availability"]
