"""Writes on accounts and roles."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from areas.models import Municipality
from nabolaget.models import Role, RoleGrant


@transaction.atomic
def role_grant(*, email: str, role: str, municipality_code: str) -> tuple[RoleGrant, bool]:
    """Give the account with this e-mail a staff role in a municipality. Returns (grant, created)."""
    if role not in Role.values:
        raise ValidationError(
            _("Unknown role '%(role)s'. Roles: %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        )
    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise ValidationError(
            _("There is no account with the e-mail address %(email)s.") % {"email": email}
        )
    municipality = Municipality.objects.filter(code=municipality_code).first()
    if municipality is None:
        raise ValidationError(
            _("Municipality %(code)s is not in Nabolaget; import its boundary first.")
            % {"code": municipality_code}
        )
    return RoleGrant.objects.get_or_create(user=user, role=role, municipality=municipality)
