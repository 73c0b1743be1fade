"""Who is asking: the client address and the login name that limits and lockouts count by."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import JsonResponse
from django.utils.translation import ngettext

# The credentials key of a password typed again on a signed-in account (closing it): the
# attempt counts against the account's own e-mail address, whatever else the form posted.
ACCOUNT = "account"


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or with NABOLAGET_NUM_PROXIES = N trusted proxies
    the N-th address from the right of X-Forwarded-For (each proxy appends the address it
    saw). Addresses a client writes into the header itself stand further left and are never
    read, so a forged header cannot reset a limit. The same rule as DRF's throttles."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.NABOLAGET_NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return remote


def login_name(request, credentials: dict | None = None) -> str:
    """The name a login attempt typed, normalised: allauth's form posts ``login`` (the
    e-mail address), the admin's posts ``username``. The posted name comes first, so that
    a successful login (where axes passes the account's user name) clears the failures
    counted under the name that was typed."""
    credentials = credentials or {}
    if credentials.get(ACCOUNT):
        return str(credentials[ACCOUNT]).strip().lower()
    data = getattr(request, "POST", {}) or {}
    for value in (
        data.get("login"),
        data.get("username"),
        credentials.get("email"),
        credentials.get("username"),
    ):
        if value:
            return str(value).strip().lower()
    return ""


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login: 429, how long to wait, and Retry-After
    (a page, or for the API ``{"detail": …}``)."""
    from axes.helpers import get_cool_off
    from django.shortcuts import render

    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 3600
    minutes = max(1, -(-seconds // 60))
    if request.path.startswith("/api/"):
        message = ngettext(
            "Logging in to this account from your address is locked for %(minutes)s minute "
            "after too many wrong passwords.",
            "Logging in to this account from your address is locked for %(minutes)s minutes "
            "after too many wrong passwords.",
            minutes,
        ) % {"minutes": minutes}
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "account/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def password_again_locked(request, user) -> bool:
    """Whether typing the account's password again (to close it) is locked: the login
    lockout of the account's e-mail address from this client address (django-axes)."""
    from axes.handlers.proxy import AxesProxyHandler

    return not AxesProxyHandler.is_allowed(request, {ACCOUNT: user.email})


def password_again_failed(request, user) -> None:
    """Count a wrong password typed again as a failed login of the account: django-axes
    records it, and locks logging in and closing alike once the limit is reached."""
    user_login_failed.send(sender=__name__, credentials={ACCOUNT: user.email}, request=request)
