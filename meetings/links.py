"""The signed link that confirms a participant's e-mail address (``MeetingFollower``)."""

from __future__ import annotations

import hashlib

from django.core import signing

FOLLOW_SALT = "meetings.follow"
FOLLOW_LINK_DAYS = 14


def email_digest(email: str) -> str:
    """A short digest of the address, so that a link is for that address only."""
    return hashlib.sha256(email.encode()).hexdigest()[:16]


def follow_token(follower) -> str:
    """The signed, timed token of a follower's confirmation link."""
    return signing.dumps({"f": follower.pk, "e": email_digest(follower.email)}, salt=FOLLOW_SALT)


def follow_token_read(token: str) -> dict:
    """The token's content, or ``signing.BadSignature`` (changed, or older than
    FOLLOW_LINK_DAYS: ``SignatureExpired`` is a ``BadSignature``)."""
    data = signing.loads(token, salt=FOLLOW_SALT, max_age=FOLLOW_LINK_DAYS * 86400)
    if not isinstance(data, dict):
        raise signing.BadSignature("not a follow token")
    return data
