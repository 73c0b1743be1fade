"""What every form view shares."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe


class LongSelect(forms.Select):
    """A select of hundreds of options (every area of a municipality) whose options are
    written in Python: Django's own template renders two templates per option, which cost
    the planner's page tens of milliseconds for its 537 areas. Flat choices only (no
    groups); options carry no attributes but ``selected``."""

    template_name = "core/widgets/long_select.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        options = (
            option
            for _group_name, group, _index in context["widget"]["optgroups"]
            for option in group
        )
        context["widget"]["options_html"] = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (
                    option["value"],
                    mark_safe(" selected") if option["selected"] else "",
                    option["label"],
                )
                for option in options
            ),
        )
        return context


def add_service_errors(form, exc: ValidationError) -> None:
    """A service's refusal on the form: each error on its field when the form has one, else
    on the form itself. The codes are kept (``too_large`` is answered with 413)."""
    errors = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
    for field, field_errors in errors.items():
        form.add_error(field if field in form.fields else None, field_errors)


def refused_status(form) -> int:
    """The status for a form posted with errors: 413 when a field says its input is too
    large (code ``too_large``), otherwise 400."""
    too_large = any(
        error.code == "too_large" for errors in form.errors.as_data().values() for error in errors
    )
    return 413 if too_large else 400
