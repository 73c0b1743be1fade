"""Writes on accounts and roles."""

from __future__ import annotations

import datetime as dt
import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts import privacy
from accounts.models import Role, RoleGrant
from areas.models import Municipality


@transaction.atomic
def role_grant(*, email: str, role: str, municipality_code: str) -> tuple[RoleGrant, bool]:
    """Give the account with this e-mail a staff role in a municipality. Returns (grant, created)."""
    if role not in Role.values:
        raise ValidationError(
            _("Unknown role '%(role)s'. Roles: %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        )
    if role == Role.COUNCIL_SECRETARY:
        # A grant of it in a municipality would let its holder do nothing: a secretary is
        # one council's (councils.services.council_secretary_grant).
        raise ValidationError(
            _(
                "A council secretary is the secretary of one council: make the account "
                "the council's secretary (grant_role … council_secretary --council, or "
                "Council memberships in the admin)."
            )
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


def account_for_confirmed_address(*, email: str, language: str, username_prefix: str):
    """The account the feedback loop's e-mails go to for an address just confirmed through a
    signed link (a meeting's participant, an answer given without logging in): the open
    account that has this address already, or a new one without a password (its owner may
    set one with "Forgot password" and log in)."""
    users = get_user_model().objects
    user = users.filter(email__iexact=email, closed_at=None).first()
    if user is None:
        user = users.create(
            username=f"{username_prefix}-{secrets.token_hex(6)}", email=email, language=language
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def account_inactivity_notice(*, user, now: dt.datetime) -> bool:
    """Tell a resident that their inactive account will be closed; record when. True if sent.

    The time is recorded in the transaction that sends the e-mail, so a failed send is
    retried by the next run and a successful one is not repeated.
    """
    closes = now + dt.timedelta(days=settings.NABOLAGET_RETENTION_NOTICE_DAYS)
    with transaction.atomic():
        updated = (
            get_user_model()
            .objects.filter(pk=user.pk, closed_at=None)
            .update(inactivity_notice_at=now)
        )
        if not updated or not user.email:
            return False
        with translation.override(user.language or settings.LANGUAGE_CODE):
            context = {
                "user": user,
                "closes": closes,
                "days": settings.NABOLAGET_RETENTION_DAYS,
                "login_url": settings.NABOLAGET_SITE_URL.rstrip("/") + reverse("account_login"),
            }
            subject = render_to_string("accounts/email/inactivity_subject.txt", context).strip()
            body = render_to_string("accounts/email/inactivity.txt", context)
        send_mail(subject, body, None, [user.email])
    return True


def account_retention_run(*, now: dt.datetime) -> dict[str, int]:
    """The retention job: close the accounts that are due, then tell those that soon will be.

    Idempotent: a second run at the same time finds nothing to do.
    """
    if settings.NABOLAGET_RETENTION_DAYS <= 0:
        return {"told": 0, "closed": 0}
    to_tell, to_close = privacy.retention_due(now=now)
    users = get_user_model().objects
    closing = list(to_close.values_list("pk", flat=True))
    for pk in closing:
        privacy.account_close(user=users.get(pk=pk), now=now)
    told = sum(
        account_inactivity_notice(user=users.get(pk=pk), now=now)
        for pk in list(to_tell.values_list("pk", flat=True))
    )
    return {"told": told, "closed": len(closing)}
