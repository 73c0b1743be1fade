"""The API's JSON parser, in a module of its own.

DRF reads ``DEFAULT_PARSER_CLASSES`` while it defines ``APIView`` (``rest_framework.views``),
so the module named there must not import ``rest_framework.views`` itself: ``core.api``
does (for DRF's exception handler), and a process whose first import of DRF's views came
through ``core.api`` (``import nabolaget.views``, pytest collecting
tests/core/test_problems.py on its own) failed with a circular import.
"""

from __future__ import annotations

import sys

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Python's JSON parser recurses once per level of nesting and gives up at the interpreter's
# recursion limit minus however deep the request already is in Django's stack (middleware
# and all). A fixed, generous limit makes "too deep" a property of the body, not of the
# middleware in front of it: bodies nested a few hundred levels parse and are judged by
# the serializers (naming the field), deeper ones are refused here.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 4000))


class JSONParser(parsers.JSONParser):
    """DRF's strict JSON parser, with its error in the request's language, and a body nested
    too deeply for Python's parser (a RecursionError, which DRF lets through as a 500)
    refused like any other bad JSON."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except ParseError as exc:
            error = str(exc.detail).removeprefix("JSON parse error - ")
            raise ParseError(
                _("The request body is not valid JSON: %(error)s") % {"error": error}
            ) from exc
        except RecursionError as exc:
            raise ParseError(_("The request body is nested too deeply.")) from exc
