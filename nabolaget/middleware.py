"""Request-level guards that must answer before any view reads the body or the query."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.utils.translation import gettext as _

from core import problems

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class RequestTooLargeMiddleware:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 in the request's language.

    Django raises RequestDataTooBig when the body is read, which it answers with a
    generic 400; reading it here first (after LocaleMiddleware, before CSRF and the
    views) gives the right status and a message. File uploads in a form do not count
    towards the limit (Django's rule): their own limits are checked by the forms.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = _null_character_in_query(request)
        if refused is not None:
            return refused
        if request.method in ("POST", "PUT", "PATCH"):
            try:
                if request.content_type in FORM_TYPES:
                    request.POST  # noqa: B018 - parse now, within the limit
                else:
                    request.body  # noqa: B018 - read now, within the limit
            except RequestDataTooBig:
                return self._too_large(request)
        return self.get_response(request)

    def _too_large(self, request):
        message = _("The request is too large: at most %(mb)s MB.") % {
            "mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1_000_000
        }
        return _refusal(request, message, 413)


def _refusal(request, message: str, status: int, field: str | None = None):
    """The refusal an API client reads (problem details, naming ``field`` if given) or a
    person reads (text)."""
    if problems.is_api(request):
        if field is None:
            return problems.problem_response(status, message)
        return problems.field_problem_response(status, field, message)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _null_character_in_query(request):
    """A query parameter holding a NUL character is a 400 naming it: PostgreSQL text cannot
    hold one, so it would otherwise reach the database as a server error. (Checked here,
    not in a middleware of its own: every middleware deepens the stack that parses a
    deeply nested JSON body.)"""
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            message = _("Null characters are not allowed.")
            return _refusal(request, message, 400, field=name.replace("\x00", ""))
    return None
