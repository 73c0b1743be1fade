"""The signed personal link of a panel member (``MemberAccess``)."""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

from accounts.notifications import site_url
from panels.models import MemberAccess

MEMBER_SALT = "panels.member"
# The session key that holds the member's access once the link was opened.
SESSION_KEY = "panel_member"


def member_token(access: MemberAccess) -> str:
    """The signed token of a member's personal link (no expiry: revoked, or the panel
    closed, it fails)."""
    return signing.dumps({"a": access.pk, "n": access.nonce}, salt=MEMBER_SALT)


def member_url(access: MemberAccess) -> str:
    """The full address of the member's personal link."""
    return site_url(reverse("panels:member_enter", args=[member_token(access)]))
