"""The error handlers of the root URL conf: problem details under /api/, elsewhere our own
pages in the reader's language (nabolaget/templates/400.html, 403.html, 404.html and
500.html, with the site's header and ways on), rendered by Django's default views."""

from __future__ import annotations

from django.views import defaults

from core import problems


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
