"""Idempotency keys for the API's create requests: one mechanism for every endpoint that
makes a record (priorities, supports, submissions, frozen digests).

A client that may retry sends ``Idempotency-Key: <1–200 printable ASCII characters>``
with a POST. The first request that succeeds (2xx) stores its status, body and Location
under (account, key) in the same transaction as the record it made; a retry with the same
key, method, path and body gets that answer again (same status and body, with
``Idempotent-Replayed: true``) and does nothing. The same key with another request is a
422. A request that fails (4xx) stores nothing, so it can be retried with the same key
once corrected.

Concurrent retries: the key's row is inserted first, in the request's transaction, and
the unique constraint on (account, key) decides. PostgreSQL makes a second insert of the
same key wait until the first transaction ends: when the first commits, the second gets
the conflict and answers with the stored response (the loser waits for the winner's
answer; no 409); when the first fails and rolls back, the second goes ahead as if it were
first. So two rows are never made.

Keys expire NABOLAGET_IDEMPOTENCY_KEY_HOURS (24) after their first use: an expired key is free
again, and the periodic job ``accounts.tasks.delete_expired_idempotency_keys`` removes
them.

The pages' forms that make a record use the same store (``idempotent_form``): each form
carries a key made when it is rendered (``{% idempotency_field %}``), and a second POST
with it, from the same account to the same page, is sent to the first one's answer (its
receipt) and makes nothing, also when the first answer was lost to an error.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import re
import secrets

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http.request import RawPostDataException
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounts.models import IdempotencyKey

HEADER = "Idempotency-Key"
# Printable ASCII (space to tilde), 1–200 characters, not beginning or ending with a space
# (HTTP drops those spaces, so such a key could not be sent as written).
KEY_PATTERN = r"^[!-~]([ -~]{0,198}[!-~])?$"
_KEY = re.compile(KEY_PATTERN)

PARAMETER = OpenApiParameter(
    HEADER,
    {"type": "string", "minLength": 1, "maxLength": 200, "pattern": KEY_PATTERN},
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Optional. 1–200 printable ASCII characters chosen by the client, unique per "
        "request it means. A retry with the same key and body returns the first answer "
        "(same status and body, header Idempotent-Replayed: true) without doing anything "
        "again; the same key with another body is a 422. Keys are per account and expire "
        "after 24 hours. Only successful answers are kept."
    ),
)
RESPONSES = {
    422: OpenApiResponse(description="The Idempotency-Key was used for a different request."),
}


class KeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"


def expiry_cutoff() -> datetime.datetime:
    """Keys first used before this moment have expired."""
    return timezone.now() - datetime.timedelta(hours=settings.NABOLAGET_IDEMPOTENCY_KEY_HOURS)


def delete_expired_keys() -> int:
    """Remove the expired keys (the periodic job's work); returns how many."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=expiry_cutoff()).delete()
    return deleted


def parse_key(request) -> str | None:
    """The request's key, None without one, or a 400 naming the header."""
    value = request.headers.get(HEADER)
    if value is None:
        return None
    if not _KEY.match(value):
        raise ValidationError(
            {
                HEADER: [
                    _(
                        "The Idempotency-Key header must be 1 to 200 printable ASCII "
                        "characters, not beginning or ending with a space."
                    )
                ]
            }
        )
    return value


def is_replay(request) -> bool:
    """Whether the request is one the idempotent handler will answer from the store
    without doing anything: the same account, key, method, path (with its query) and body
    as a stored answer. Only such a replay is left out of the rate limits (a client
    retrying after a lost answer is not told to wait); anything else counts, whatever key
    it carries: another method, another path, another body or another account's key."""
    key = request.headers.get(HEADER)
    if key is None or not _KEY.match(key) or not request.user.is_authenticated:
        return False
    return IdempotencyKey.objects.filter(
        user=request.user,
        key=key,
        method=request.method,
        path=request.path[:500],
        fingerprint=fingerprint(request),
        response_status__isnull=False,
        created_at__gte=expiry_cutoff(),
    ).exists()


def fingerprint(request) -> str:
    """SHA-256 of the method, the path with its query and the body (of a DRF request or
    a plain Django one)."""
    http = getattr(request, "_request", request)
    digest = hashlib.sha256()
    digest.update(f"{http.method} {http.get_full_path()}\n".encode())
    try:
        digest.update(http.body)
    except RawPostDataException:
        # A multipart form was parsed from the stream (its files are not kept as bytes):
        # the parsed fields and the files' names, sizes and contents stand for the body.
        fields = {key: http.POST.getlist(key) for key in http.POST}
        for key in http.FILES:
            fields.setdefault(key, []).extend(http.FILES.getlist(key))
        fields = {key: fields[key] for key in sorted(fields)}
        digest.update(json.dumps(fields, sort_keys=True, default=_upload_digest).encode())
    return digest.hexdigest()


def _upload_digest(upload) -> str:
    upload.seek(0)
    content = hashlib.sha256(upload.read()).hexdigest()
    upload.seek(0)
    return f"{upload.name}:{upload.size}:{content}"


def _replay(stored: IdempotencyKey, request_fingerprint: str) -> Response:
    if stored.fingerprint != request_fingerprint:
        raise KeyReused(
            _(
                "This Idempotency-Key was already used for a different request. Use a new "
                "key for a new request."
            )
        )
    headers = {"Idempotent-Replayed": "true"}
    if stored.response_location:
        headers["Location"] = stored.response_location
    return Response(
        json.loads(stored.response_body), status=stored.response_status, headers=headers
    )


def _claim(request, key: str, request_fingerprint: str) -> IdempotencyKey | None:
    """Store the account's key for this request (an expired one is dropped first), or None
    when it is already stored: the answer to give is then the stored one's. Waits while a
    concurrent request holds the same key. Runs inside the caller's transaction."""
    IdempotencyKey.objects.filter(
        user=request.user, key=key, created_at__lt=expiry_cutoff()
    ).delete()
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(
                user=request.user,
                key=key,
                method=request.method,
                path=request.path[:500],
                fingerprint=request_fingerprint,
            )
    except IntegrityError:
        return None


def idempotent(handler):
    """Decorate an API view's POST handler: honour the Idempotency-Key header, and run the
    handler in one transaction, with a key or without."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = parse_key(request) if request.method == "POST" else None
        if key is None or not request.user.is_authenticated:
            # One transaction for the work and the answer read back from it: nothing
            # after the commit can turn the success into an error (the database going
            # away just then would otherwise make a 500 of a saved record).
            with transaction.atomic():
                return handler(view, request, *args, **kwargs)
        request_fingerprint = fingerprint(request)
        with transaction.atomic():
            record = _claim(request, key, request_fingerprint)
            if record is None:
                return _replay(
                    IdempotencyKey.objects.get(user=request.user, key=key), request_fingerprint
                )
            response = handler(view, request, *args, **kwargs)
            if not status.is_success(response.status_code):
                transaction.set_rollback(True)  # a failure keeps neither the key nor work
                return response
            record.response_status = response.status_code
            record.response_body = JSONRenderer().render(response.data).decode()
            record.response_location = response.get("Location", "")[:500]
            record.save(update_fields=["response_status", "response_body", "response_location"])
        return response

    return wrapper


FORM_FIELD = "idempotency_key"
_REDIRECTS = (301, 302, 303)


def form_key() -> str:
    """A new key for a form being rendered (its hidden FORM_FIELD)."""
    return secrets.token_urlsafe(24)


def _form_fingerprint(request) -> str:
    # A form's key names one rendered form: a second POST of it is the same submission
    # even if the resident changed a field after an error page (the first one was saved).
    return hashlib.sha256(f"form {request.method} {request.path}".encode()).hexdigest()


def idempotent_form(view):
    """Decorate a page view whose POST makes a record and answers with a redirect (to the
    receipt, or the page the record is on). A POST carrying the key of one already
    answered, from the same account to the same page, is sent to that answer again with a
    message, and the view is not run (nothing is written, no limit counts it). A POST
    without a key, or whose answer is not a redirect (errors, a form shown again), keeps
    no key; a key used on another page is ignored."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        key = request.POST.get(FORM_FIELD, "") if request.method == "POST" else ""
        if not key or not _KEY.match(key) or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        request_fingerprint = _form_fingerprint(request)
        with transaction.atomic():
            record = _claim(request, key, request_fingerprint)
            if record is None:
                stored = IdempotencyKey.objects.get(user=request.user, key=key)
                if stored.fingerprint != request_fingerprint or not stored.response_location:
                    return view(request, *args, **kwargs)
                messages.info(
                    request, _("This was already sent and saved. Nothing was saved twice.")
                )
                return redirect(stored.response_location)
            response = view(request, *args, **kwargs)
            if response.status_code not in _REDIRECTS:
                record.delete()  # the form is shown again, with a new key
                return response
            record.response_status = response.status_code
            record.response_location = response["Location"][:500]
            record.save(update_fields=["response_status", "response_location"])
        return response

    return wrapper
