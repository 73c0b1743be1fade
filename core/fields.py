"""Text fields for forms and the API that normalise what people type (core.text) before
stripping and the length checks, so that invisible characters never count."""

from __future__ import annotations

from django import forms
from rest_framework import serializers

from core.text import normalise_text


class TextField(forms.CharField):
    """A form's CharField for free text: NFC, no invisible or control characters (a
    Textarea keeps its line breaks and tabs), then Django's own stripping and lengths."""

    def to_python(self, value):
        if isinstance(value, str):
            value = normalise_text(value, multiline=isinstance(self.widget, forms.Textarea))
        return super().to_python(value)


class TextSerializerField(serializers.CharField):
    """The API's CharField for free text, normalised as ``TextField``; ``multiline`` for
    long texts that keep their line breaks."""

    def __init__(self, *, multiline: bool = False, **kwargs):
        self.multiline = multiline
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        if isinstance(data, str):
            data = normalise_text(data, multiline=self.multiline)
        return super().run_validation(data)
