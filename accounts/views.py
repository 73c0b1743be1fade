"""Account pages: the resident's data (download) and closing the account."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import privacy
from accounts.forms import AccountCloseForm, CouncillorProfileForm
from accounts.limits import check_rate_limits, throttle
from accounts.models import Role, RoleGrant
from core import security

CLOSE_LIMITS = [throttle("account_close", "user"), throttle("account_close", "address")]


def data_response(user) -> HttpResponse:
    """The account's data as a JSON file to download."""
    body = json.dumps(privacy.account_data(user), cls=DjangoJSONEncoder, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"nabolaget-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def account_data_download(request):
    """Download everything stored about the account (GDPR art. 15 and 20)."""
    return data_response(request.user)


@login_required
@require_http_methods(["GET", "POST"])
def account_privacy(request):
    """What we store and why, the download, and closing the account after confirmation."""
    data = request.POST if request.method == "POST" else None
    form = AccountCloseForm(data, user=request.user, request=request)
    if request.method == "POST":
        wait = check_rate_limits(request, CLOSE_LIMITS)
        if wait:
            response = render(request, "429.html", status=429)
            response["Retry-After"] = str(wait)
            return response
        if form.is_valid():
            privacy.account_close(user=request.user)
            logout(request)
            messages.success(
                request,
                _(
                    "Your account is closed and your name and e-mail address are deleted. "
                    "Your priorities stay on the map without your name."
                ),
            )
            return redirect("priorities:home")
        if form.locked:
            return security.lockout_response(request)
        return render(request, "accounts/privacy.html", {"form": form}, status=400)
    return render(request, "accounts/privacy.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def councillor_profile(request):
    """An elected member's public profile, per municipality where they are a councillor:
    the name, party and elected body shown with their replies to residents."""
    grants = list(
        RoleGrant.objects.filter(user=request.user, role=Role.COUNCILLOR)
        .select_related("municipality")
        .order_by("municipality__name", "pk")
    )
    if not grants:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    forms = [
        CouncillorProfileForm(data, instance=grant, prefix=f"grant-{grant.pk}") for grant in grants
    ]
    if data is not None:
        if all(form.is_valid() for form in forms):
            for form in forms:
                form.save()
            messages.success(request, _("Your profile is saved. New replies show it."))
            return redirect("councillor_profile")
        return render(request, "accounts/councillor.html", {"forms": forms}, status=400)
    return render(request, "accounts/councillor.html", {"forms": forms})
