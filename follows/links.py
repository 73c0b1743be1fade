"""The signed one-click unsubscribe links of the follow e-mails (RFC 8058)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core import signing

# The salt of the unsubscribe links: a value signed for anything else is refused.
UNSUBSCRIBE_SALT = "follows.unsubscribe"


def unsubscribe_token(user_id: int, follow_ids: Iterable[int]) -> str:
    """A signed token that ends these follows of the account (an e-mail's unsubscribe link)."""
    return signing.dumps(
        {"u": user_id, "f": sorted(set(follow_ids))}, salt=UNSUBSCRIBE_SALT, compress=True
    )


def unsubscribe_parse(token: str) -> tuple[int, list[int]]:
    """The account and follows of a token; ``signing.BadSignature`` if it is not ours."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("u"), int)
        or not isinstance(data.get("f"), list)
        or not all(isinstance(pk, int) for pk in data["f"])
    ):
        raise signing.BadSignature("Not an unsubscribe token")
    return data["u"], data["f"]
