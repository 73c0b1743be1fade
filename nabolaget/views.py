"""Account pages: the resident's data (download) and closing the account; the error
handlers of the root URL conf (problem details under /api/, Django's pages elsewhere)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_GET, require_http_methods

from nabolaget import privacy, problems, security
from nabolaget.api import check_rate_limits, throttle
from nabolaget.forms import AccountCloseForm

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
            return redirect("areas:home")
        if form.locked:
            return security.lockout_response(request)
        return render(request, "nabolaget/privacy.html", {"form": form}, status=400)
    return render(request, "nabolaget/privacy.html", {"form": form})


def bad_request(request, exception):
    """handler400: a request Django refuses before any view (e.g. a bad Host header)."""
    if problems.is_api(request):
        return problems.problem_response(400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    """handler403."""
    if problems.is_api(request):
        return problems.problem_response(403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    """handler404: under /api/ also an address no URL matches (e.g. a non-digit id)."""
    if problems.is_api(request):
        return problems.problem_response(404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """handler500."""
    if problems.is_api(request):
        return problems.problem_response(500)
    return defaults.server_error(request)
