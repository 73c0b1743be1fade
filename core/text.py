"""Text that people type, as it is stored and counted: one normal form, nothing invisible.

A title of three zero-width spaces looks empty but has three characters; the same word in
decomposed form (NFD, as some keyboards and macOS file names give it) does not match the
composed one in search or uniqueness. Every text field normalises before its length checks:
forms through ``core.forms.TextField``, the API through ``core.api.TextField``, and
models with ``NormalisedTextMixin`` in ``full_clean`` (the admin and the services).
"""

from __future__ import annotations

import re
import unicodedata

from django.db import models

# Zero-width characters (space, non-joiner, joiner, word joiner, byte order mark) and the
# bidirectional controls (marks, embeddings, overrides, isolates): invisible, and the
# controls can make a text read in another order than it is stored (CVE-2021-42574).
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069"
# C0 and C1 control characters (Unicode category Cc), DEL included.
CONTROLS = "\x00-\x1f\x7f-\x9f"
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
_CONTROLS_LONG = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # keeps \t \n \r
_CONTROLS_LINE = re.compile(f"[{CONTROLS}]+")


def normalise_text(value: str, *, multiline: bool = False) -> str:
    """The text in Unicode NFC, without zero-width or bidirectional-control characters and
    without control characters: a long text (``multiline``) keeps tabs and line breaks
    (CR LF and CR become LF), a one-line text has each run of them as one space."""
    value = _INVISIBLE.sub("", unicodedata.normalize("NFC", value))
    if multiline:
        return _CONTROLS_LONG.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROLS_LINE.sub(" ", value)


class NormalisedTextMixin:
    """For a model whose text people type: ``full_clean`` normalises every CharField and
    TextField (a TextField keeps its line breaks) and strips it, before the validators run.
    Covers the admin's forms and the services, which call ``full_clean``."""

    def clean_fields(self, exclude=None):
        for field in self._meta.concrete_fields:
            if (exclude and field.name in exclude) or field.attname not in self.__dict__:
                continue  # excluded, generated or deferred: not the text being cleaned
            value = self.__dict__[field.attname]
            if isinstance(field, models.CharField | models.TextField) and isinstance(value, str):
                multiline = isinstance(field, models.TextField)
                setattr(self, field.attname, normalise_text(value, multiline=multiline).strip())
        super().clean_fields(exclude=exclude)
