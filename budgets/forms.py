"""Forms of the budget: a planner creates a budget on a case and imports its versions."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budgets.models import Stage
from core.fields import TextField


class BudgetForm(forms.Form):
    """A new budget and economic plan on a budget case."""

    title = TextField(label=_("Title"), min_length=3, max_length=200)
    first_year = forms.IntegerField(
        label=_("First plan year"),
        help_text=_("The budget year; the economic plan covers it and the three after it."),
        localize=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_first_year(self) -> int:
        year = self.cleaned_data["first_year"]
        this_year = timezone.localdate().year
        if not this_year - 5 <= year <= this_year + 5:
            raise ValidationError(
                _("Give a year from %(first)s to %(last)s.")
                % {"first": this_year - 5, "last": this_year + 5}
            )
        return year


class ImportForm(forms.Form):
    """A version of the budget, from a CSV or XLSX file."""

    stage = forms.ChoiceField(label=_("Version"), choices=Stage.choices, widget=forms.RadioSelect)
    label = TextField(
        label=_("Label (optional)"),
        required=False,
        max_length=200,
        help_text=_("E.g. “Formannskapets innstilling 26. november”."),
    )
    file = forms.FileField(
        label=_("Budget file (CSV or XLSX)"),
        help_text=_(
            "Columns: sector, KOSTRA function (optional), line, kind (optional: utgift or "
            "inntekt), one column per plan year with the year as its header, area (optional)."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.NABOLAGET_BUDGET_MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(limit)s MB.")
                % {"limit": settings.NABOLAGET_BUDGET_MAX_BYTES // 1_000_000},
                "too_large",
            )
        return upload
