"""The API's error answers: RFC 9457 problem details (``application/problem+json``) in the
request's language, for every answer under ``/api/`` that is not a success: DRF's
refusals (through ``core.api.exception_handler``), the request guards in the
middleware, and Django's own 400/403/404/500 (an address no URL matches, a server error).

A problem is ``{"type": "about:blank", "title": ..., "status": ..., "detail": ...}``:
``type`` is ``about:blank`` (RFC 9457 §4.2.1: the title is the status's meaning), the
title is translated, ``detail`` says what went wrong this time. Bad input adds an
``errors`` member with the fields (or parameters, or headers) at fault, each with its
messages, shaped as DRF's validation errors; ``detail`` then joins those messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

MEDIA_TYPE = "application/problem+json"
API_PREFIX = "/api/"

TITLES = {
    400: _("Bad request"),
    401: _("Not logged in"),
    403: _("Not allowed"),
    404: _("Not found"),
    405: _("Method not allowed"),
    406: _("Not acceptable"),
    409: _("Conflict"),
    413: _("Request too large"),
    415: _("Unsupported media type"),
    422: _("Cannot be processed"),
    429: _("Too many requests"),
    500: _("Server error"),
    503: _("Service unavailable"),
}
DETAILS = {
    400: _("The request is not valid."),
    403: _("You are not allowed to do this."),
    404: _("There is nothing at this address."),
    500: _("Something went wrong on our side. Please try again later."),
}


def is_api(request) -> bool:
    """Whether the request is for the API (answered with problem details, not pages)."""
    return request.path.startswith(API_PREFIX)


def messages(errors) -> Iterator[str]:
    """Every message in DRF-shaped validation errors (dicts and lists, nested)."""
    if isinstance(errors, dict):
        for value in errors.values():
            yield from messages(value)
    elif isinstance(errors, (list, tuple)):
        for value in errors:
            yield from messages(value)
    elif errors is not None:
        yield str(errors)


def problem(status: int, detail: str | None = None, errors=None) -> dict:
    """The problem details of an answer with this status (title and detail translated)."""
    title = TITLES.get(status) or HTTPStatus(status).phrase
    if detail is None and errors is not None:
        detail = " ".join(messages(errors))
    body = {
        "type": "about:blank",
        "title": str(title),
        "status": status,
        "detail": str(detail or DETAILS.get(status) or title),
    }
    if errors is not None:
        body["errors"] = errors
    return body


def problem_response(status: int, detail: str | None = None, errors=None) -> JsonResponse:
    """A Django response holding the problem details (for code outside DRF's views)."""
    return JsonResponse(
        problem(status, detail, errors),
        status=status,
        content_type=MEDIA_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def field_problem_response(status: int, field: str, message: str) -> JsonResponse:
    """A refusal of one field (or parameter) with one message."""
    return problem_response(status, errors={field: [message]})
