"""The signed link that confirms the e-mail address given with an answer by someone not
logged in (``UnconfirmedAnswer``)."""

from __future__ import annotations

import hashlib

from django.core import signing

ANSWER_SALT = "hearings.answer"
ANSWER_LINK_DAYS = 7


def email_digest(email: str) -> str:
    """A short digest of the address, so that a link is for that address only."""
    return hashlib.sha256(email.encode()).hexdigest()[:16]


def answer_token(unconfirmed) -> str:
    """The signed, timed token of an unconfirmed answer's confirmation link."""
    return signing.dumps(
        {"a": unconfirmed.pk, "e": email_digest(unconfirmed.email)}, salt=ANSWER_SALT
    )


def answer_token_read(token: str) -> dict:
    """The token's content, or ``signing.BadSignature`` (changed, or older than
    ANSWER_LINK_DAYS: ``SignatureExpired`` is a ``BadSignature``)."""
    data = signing.loads(token, salt=ANSWER_SALT, max_age=ANSWER_LINK_DAYS * 86400)
    if not isinstance(data, dict):
        raise signing.BadSignature("not an answer token")
    return data
