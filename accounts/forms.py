"""The account pages' forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import RoleGrant
from core import security
from core.fields import TextField


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


class CouncillorProfileForm(forms.ModelForm):
    """What an elected member shows with their replies, for one municipality."""

    public_name = TextField(
        label=_("Your name as shown with your replies"), min_length=2, max_length=100
    )
    party = TextField(label=_("Party or list"), required=False, max_length=100)
    elected_body = TextField(
        label=_("Elected body"),
        required=False,
        max_length=100,
        help_text=_("Where you sit, e.g. the municipal council or a committee."),
    )

    class Meta:
        model = RoleGrant
        fields = ["public_name", "party", "elected_body"]
