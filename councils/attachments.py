"""Councils' PDF attachments: parsed as PDFs, and refused when they could run anything.

A file that only starts like a PDF (``%PDF-`` and then HTML with a script) is not one:
the attachment is parsed with pypdf and must have a document catalog with pages. A PDF
that carries JavaScript (``/JS``, ``/JavaScript``, an ``/OpenAction`` or ``/AA`` that runs
it), embedded files (``/EmbeddedFiles``, ``/EF``), an XFA form, rich media, or an action
that launches a program, imports data or submits a form is **refused, not stripped**: an
attachment is part of an append-only public record, and the record keeps what the council
filed, byte for byte; the council saves a plain PDF (PDF/A) and attaches that.

The parse is bounded: at most ``NABOLAGET_PDF_MAX_OBJECTS`` objects are read, and pypdf
inflates no stream to more than its own limit (``pypdf.filters.ZLIB_MAX_OUTPUT_LENGTH``,
75 MB); page contents are never decompressed (scripts cannot live there).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

# Keys whose presence anywhere means the document can run or carry something.
ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/AA", "/EmbeddedFiles", "/EF", "/XFA", "/RichMedia"}
)
# Actions (/S) that run code, start programs, fetch or send data, or open embedded files.
ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToE", "/RichMediaExecute"}
)


class _Active(Exception):
    pass


class _TooMany(Exception):
    pass


def attachment_pdf_check(upload) -> None:
    """Refuse (ValidationError on ``attachments``) what is not a PDF, or is an active one."""
    name = upload.name
    upload.seek(0)
    try:
        if upload.read(5) != b"%PDF-":
            raise ValueError("no PDF header")
        upload.seek(0)
        _check(PdfReader(upload, strict=False), settings.NABOLAGET_PDF_MAX_OBJECTS)
    except _Active as exc:
        raise ValidationError(
            {
                "attachments": _(
                    "%(name)s contains JavaScript, embedded files, forms (XFA) or actions that "
                    "open other programs. Save it as a plain PDF (PDF/A) and attach it again."
                )
                % {"name": name}
            }
        ) from exc
    except (_TooMany, LimitReachedError) as exc:
        raise ValidationError(
            {
                "attachments": _(
                    "%(name)s has too many parts to be checked (at most %(n)s objects)."
                )
                % {"name": name, "n": settings.NABOLAGET_PDF_MAX_OBJECTS}
            }
        ) from exc
    # pypdf meets hostile input with exceptions of many types (its own, ValueError,
    # KeyError, TypeError, RecursionError, …): any of them means it is not a PDF we keep.
    except Exception as exc:
        raise ValidationError(
            {"attachments": _("%(name)s is not a PDF file that can be read.") % {"name": name}}
        ) from exc
    finally:
        upload.seek(0)


def _check(reader: PdfReader, max_objects: int) -> None:
    numbers = [
        (number, generation) for generation, entries in reader.xref.items() for number in entries
    ] + [(number, 0) for number in reader.xref_objStm]
    if len(numbers) > max_objects:
        raise _TooMany
    root = reader.trailer["/Root"].get_object()
    if not isinstance(root, DictionaryObject) or "/Pages" not in root:
        raise ValueError("no document catalog with pages")
    if len(reader.pages) == 0:
        raise ValueError("no pages")
    _walk(reader.trailer)
    for number, generation in numbers:
        _walk(reader.get_object(IndirectObject(number, generation, reader)))


def _walk(item) -> None:
    """Look through one object's dictionaries and arrays (other objects are visited on
    their own, so references are not followed)."""
    pending = [item]
    while pending:
        current = pending.pop()
        if isinstance(current, DictionaryObject):
            if ACTIVE_KEYS.intersection(current.keys()):
                raise _Active
            if current.get("/S") in ACTIVE_ACTIONS:
                raise _Active
            if current.get("/Type") == "/EmbeddedFile":
                raise _Active
            pending.extend(
                value for value in current.values() if not isinstance(value, IndirectObject)
            )
        elif isinstance(current, ArrayObject):
            pending.extend(value for value in current if not isinstance(value, IndirectObject))
