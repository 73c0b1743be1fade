"""Forms of the account pages, and what every form view shares."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from nabolaget import security


class AccountCloseForm(forms.Form):
    """Closing an account needs the password again, or, for an account without one (signed
    in through ID-porten), the account's e-mail address typed in full.

    A wrong password counts as a failed login of the account (the login lockout): a
    session or token in the wrong hands cannot guess the password here instead. Once
    locked, ``locked`` is true and the view answers as the login does (429).
    """

    password = forms.CharField(
        label=_("Your password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    email = forms.CharField(label=_("Your e-mail address"), required=False, max_length=254)

    def __init__(self, *args, user, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request
        self.locked = False
        if user.has_usable_password():
            del self.fields["email"]
        else:
            del self.fields["password"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not password:
            raise forms.ValidationError(_("Type your password to close the account."))
        if security.password_again_locked(self.request, self.user):
            self.locked = True
            raise forms.ValidationError(_("Too many failed logins"), code="locked")
        if not self.user.check_password(password):
            security.password_again_failed(self.request, self.user)
            raise forms.ValidationError(_("That is not your password. Nothing has been changed."))
        return password

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if not email:
            raise forms.ValidationError(_("Type your e-mail address to close the account."))
        if email.casefold() != self.user.email.casefold():
            raise forms.ValidationError(
                _("That is not the e-mail address of your account. Nothing has been changed.")
            )
        return email


class LongSelect(forms.Select):
    """A select of hundreds of options (every area of a municipality) whose options are
    written in Python: Django's own template renders two templates per option, which cost
    the planner's page tens of milliseconds for its 537 areas. Flat choices only (no
    groups); options carry no attributes but ``selected``."""

    template_name = "nabolaget/widgets/long_select.html"

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
