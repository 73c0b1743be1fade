"""Is a message in the language the request asked for? Checked against the real catalogues
(Django's, DRF's and ours), so an untranslated or hard-coded message fails."""

from __future__ import annotations

import re
from functools import cache

from django.utils.translation import trans_real

PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sdfr]|\{\w*\}")  # gettext and str.format styles
MIN_LITERAL = 8  # patterns that are mostly placeholders would match anything


def _pattern(text: str) -> re.Pattern | None:
    parts = PLACEHOLDER.split(text)
    if sum(len(p.strip()) for p in parts) < MIN_LITERAL:
        return None
    return re.compile(".*?".join(re.escape(p.replace("%%", "%")) for p in parts), re.DOTALL)


@cache
def _patterns(language: str) -> tuple[re.Pattern, ...]:
    """Norwegian: every translated message. English: every message id (the source texts)."""
    catalogue = trans_real.translation("nb")._catalog
    texts = set()
    for msgid, msgstr in catalogue.items():
        if not isinstance(msgid, str) or not msgstr or msgstr == msgid:
            continue
        texts.add(msgstr if language == "nb" else msgid)
    return tuple(p for p in map(_pattern, texts) if p is not None)


def in_language(message: str, language: str) -> bool:
    """True when the message begins with a sentence of the catalogue in that language."""
    message = str(message).strip()
    return any(p.match(message) for p in _patterns(language))
